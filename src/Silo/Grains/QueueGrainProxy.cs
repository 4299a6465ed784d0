using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Silo.Runtime;

namespace OrleansBroker.Silo.Grains;

/// <summary>Turns IQueueGrain calls into turns of the queue's activation (what Orleans' code generator would emit).</summary>
internal sealed class QueueGrainProxy(GrainReference<QueueGrain> reference) : IQueueGrain
{
    public ValueTask Create(string vhost, QueueDeclaration declaration, string? exclusiveOwner) =>
        reference.InvokeAsync(static (g, a) => g.Create(a.vhost, a.declaration, a.exclusiveOwner), (vhost, declaration, exclusiveOwner));

    public ValueTask<QueueCounts> GetCounts() => reference.InvokeAsync(static (g, _) => g.GetCounts(), 0);

    public ValueTask Enqueue(ReadOnlyMemory<Message> messages) => reference.InvokeAsync(static (g, m) => g.Enqueue(m), messages);

    public ValueTask Consume(ConsumerRegistration registration, IConsumerObserver observer) =>
        reference.InvokeAsync(static (g, a) => g.Consume(a.registration, a.observer), (registration, observer));

    public ValueTask<bool> Cancel(IConsumerObserver observer) => reference.InvokeAsync(static (g, o) => g.Cancel(o), observer);

    public ValueTask<QueueGetResult> Get(bool noAck) => reference.InvokeAsync(static (g, n) => g.Get(n), noAck);

    public ValueTask Settle(ReadOnlyMemory<Settlement> settlements) => reference.InvokeAsync(static (g, s) => g.Settle(s), settlements);

    public ValueTask ResumeDelivery(IConsumerObserver observer) => reference.InvokeAsync(static (g, o) => g.ResumeDelivery(o), observer);

    public ValueTask<uint> Purge() => reference.InvokeAsync(static (g, _) => g.Purge(), 0);

    public ValueTask<uint> Delete(bool ifUnused, bool ifEmpty) =>
        reference.InvokeAsync(static (g, a) => g.Delete(a.ifUnused, a.ifEmpty), (ifUnused, ifEmpty));
}
