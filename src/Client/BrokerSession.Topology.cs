using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Client;

/// <summary>exchange.* and queue.* as the virtual host grain does them for AMQP channels.</summary>
public sealed partial class BrokerSession
{
    /// <summary>
    /// Declare an exchange (exchange.declare): created if absent, else checked for equivalence (406
    /// PRECONDITION_FAILED "inequivalent arg ..."). <paramref name="type"/>: "direct", "fanout", "topic" or "headers".
    /// </summary>
    public Task DeclareExchangeAsync(string name, string type, bool durable = false, bool autoDelete = false, bool isInternal = false, FieldTable? arguments = null)
    {
        ThrowIfDisposed();
        var declaration = new ExchangeDeclaration(name, type, durable, autoDelete, isInternal, arguments ?? FieldTable.Empty);
        return VirtualHostGrain.DeclareExchange(declaration, passive: false).AsTask();
    }

    /// <summary>Whether the exchange exists (a passive exchange.declare).</summary>
    public async Task<bool> ExchangeExistsAsync(string name)
    {
        ThrowIfDisposed();
        try
        {
            await VirtualHostGrain.DeclareExchange(new ExchangeDeclaration(name, string.Empty, false, false, false, FieldTable.Empty), passive: true);
            return true;
        }
        catch (BrokerException e) when (e.Code == ReplyCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Delete an exchange and the bindings from and to it (exchange.delete); deleting one that does not exist succeeds.</summary>
    public Task DeleteExchangeAsync(string name, bool ifUnused = false)
    {
        ThrowIfDisposed();
        return VirtualHostGrain.DeleteExchange(name, ifUnused).AsTask();
    }

    /// <summary>
    /// Declare a queue (queue.declare): created if absent (an empty name has the broker make one, "amq.gen-..."),
    /// else checked for equivalence. An exclusive queue is this session's: no other session or AMQP connection may use
    /// it, and it is deleted with the session.
    /// </summary>
    public async Task<QueueDeclareResult> DeclareQueueAsync(
        string name = "", bool durable = false, bool exclusive = false, bool autoDelete = false, FieldTable? arguments = null)
    {
        ThrowIfDisposed();
        if (exclusive)
        {
            lock (_gate)
            {
                _declaredExclusive = true;
            }
        }

        return await VirtualHostGrain.DeclareQueue(new QueueDeclaration(name, durable, exclusive, autoDelete, arguments ?? FieldTable.Empty), passive: false, Id, Node);
    }

    /// <summary>The ready messages and consumers of a queue (a passive queue.declare): 404 NOT_FOUND when it does not exist.</summary>
    public async Task<QueueDeclareResult> InspectQueueAsync(string name)
    {
        ThrowIfDisposed();
        return await VirtualHostGrain.DeclareQueue(new QueueDeclaration(name, false, false, false, FieldTable.Empty), passive: true, Id, Node);
    }

    /// <summary>Delete a queue (queue.delete); returns how many ready messages went with it. Its consumers are cancelled.</summary>
    public async Task<uint> DeleteQueueAsync(string name, bool ifUnused = false, bool ifEmpty = false)
    {
        ThrowIfDisposed();
        return await VirtualHostGrain.DeleteQueue(name, ifUnused, ifEmpty, Id);
    }

    /// <summary>Drop a queue's ready messages (queue.purge); returns how many.</summary>
    public async Task<uint> PurgeQueueAsync(string name)
    {
        ThrowIfDisposed();
        return await VirtualHostGrain.PurgeQueue(name, Id);
    }

    /// <summary>Route messages from <paramref name="exchange"/> to <paramref name="queue"/> (queue.bind).</summary>
    public Task BindQueueAsync(string queue, string exchange, string routingKey = "", FieldTable? arguments = null) =>
        BindAsync(new Binding(exchange, BindingDestination.Queue(queue), routingKey, arguments ?? FieldTable.Empty));

    /// <summary>Remove a binding to a queue (queue.unbind); removing one that does not exist succeeds.</summary>
    public Task UnbindQueueAsync(string queue, string exchange, string routingKey = "", FieldTable? arguments = null) =>
        UnbindAsync(new Binding(exchange, BindingDestination.Queue(queue), routingKey, arguments ?? FieldTable.Empty));

    /// <summary>Route messages from <paramref name="source"/> on to the exchange <paramref name="destination"/> (exchange.bind).</summary>
    public Task BindExchangeAsync(string destination, string source, string routingKey = "", FieldTable? arguments = null) =>
        BindAsync(new Binding(source, BindingDestination.Exchange(destination), routingKey, arguments ?? FieldTable.Empty));

    /// <summary>Remove an exchange-to-exchange binding (exchange.unbind).</summary>
    public Task UnbindExchangeAsync(string destination, string source, string routingKey = "", FieldTable? arguments = null) =>
        UnbindAsync(new Binding(source, BindingDestination.Exchange(destination), routingKey, arguments ?? FieldTable.Empty));

    /// <summary>Completes once every node routes through the binding, so a publish through any node after it is routed by it.</summary>
    private Task BindAsync(Binding binding)
    {
        ThrowIfDisposed();
        return VirtualHostGrain.Bind(binding, Id).AsTask();
    }

    private Task UnbindAsync(Binding binding)
    {
        ThrowIfDisposed();
        return VirtualHostGrain.Unbind(binding, Id).AsTask();
    }
}
