using System.Runtime.CompilerServices;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Client;

/// <summary>basic.get and basic.consume.</summary>
public sealed partial class BrokerSession
{
    /// <summary>
    /// Take the next ready message of a queue (basic.get), or null when it has none. Unless <paramref name="autoAck"/>,
    /// the app settles it; one not settled when the session ends goes back to the queue.
    /// </summary>
    public async Task<DeliveredMessage?> GetAsync(string queue, bool autoAck = false)
    {
        ThrowIfDisposed();
        var queueGrain = Grains.GetGrain<IQueueGrain>(await VirtualHostGrain.ResolveQueue(queue, Id));
        QueueGetResult result;
        try
        {
            result = await queueGrain.Get(_fetched.ChannelId, autoAck);
        }
        catch (Exception e)
        {
            await ThrowIfQueueUnreachableAsync(e, queue);
            throw;
        }

        return result.Delivery is { } delivery ? _fetched.Add(queueGrain, queue, delivery, autoAck) : null;
    }

    /// <summary>
    /// Consume a queue (basic.consume), handing each message to <paramref name="observer"/>, one at a time, in order,
    /// until the returned consumer is disposed or the broker cancels it. The queue shares its messages round-robin
    /// between this consumer and its other consumers, AMQP ones included.
    /// </summary>
    /// <exception cref="BrokerException">
    /// 404 NOT_FOUND: no such queue; 403 ACCESS_REFUSED: exclusive use; 405 RESOURCE_LOCKED: another session's exclusive queue.
    /// </exception>
    public Task<QueueConsumer> ConsumeAsync(string queue, IDeliveryObserver observer, ConsumeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(observer);
        return StartConsumerAsync(queue, options, observer);
    }

    /// <summary>
    /// Consume a queue as an async stream: the consumer starts when the enumeration does and stops when it ends (a
    /// break, an exception, or <paramref name="cancellationToken"/>); messages the loop did not settle by then go back
    /// to the queue. The stream ends by itself when the broker cancels the consumer (its queue was deleted).
    /// </summary>
    public async IAsyncEnumerable<DeliveredMessage> Consume(
        string queue, ConsumeOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var consumer = await StartConsumerAsync(queue, options, observer: null);
        await using (consumer)
        {
            await foreach (var message in consumer.ReadAllAsync(cancellationToken))
            {
                yield return message;
            }
        }
    }

    private async Task<QueueConsumer> StartConsumerAsync(string queue, ConsumeOptions? options, IDeliveryObserver? observer)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ThrowIfDisposed();
        var channelId = $"{Id}/consumer.{Interlocked.Increment(ref _consumersStarted)}";
        var consumer = await QueueConsumer.StartAsync(this, queue, channelId, options ?? new ConsumeOptions(), observer);
        bool disposed;
        lock (_gate)
        {
            disposed = _disposed;
            if (!disposed)
            {
                _consumers.Add(consumer);
            }
        }

        if (disposed)
        {
            // The session ended while the consumer started: it ends too.
            await consumer.DisposeAsync();
            ObjectDisposedException.ThrowIf(true, this);
        }

        return consumer;
    }
}
