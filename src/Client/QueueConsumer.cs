using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Client;

/// <summary>
/// One consumer of a queue, as the queue sees an AMQP consumer: a registration under a channel id of its own (unique in
/// the cluster), credit granted as its prefetch allows, settlements in batches, and a cancel that waits for the
/// deliveries already on their way. So the queue serves it round-robin with every other consumer, AMQP or not.
/// Deliveries wait in a buffer (at most the prefetch) until the app takes them, through an
/// <see cref="IDeliveryObserver"/> or an async stream (<see cref="BrokerSession.Consume"/>).
/// Disposing it is closing an AMQP channel: the queue stops delivering, and every message not settled goes back to
/// the queue (marked redelivered if the app was handed it).
/// </summary>
public sealed class QueueConsumer : IAsyncDisposable, IDeliverySettler
{
    /// <summary>How long a dispose waits for deliveries the queue had already sent.</summary>
    private static readonly TimeSpan DeliveryWaitLimit = TimeSpan.FromSeconds(5);

    // Set on the observer pump's flow: a dispose from inside the observer must not wait for the pump it runs on.
    private static readonly AsyncLocal<QueueConsumer?> Pumping = new();

    private readonly object _gate = new();
    private readonly BrokerSession _session;
    private readonly IQueueGrain _queue;
    private readonly string _channelId;
    private readonly int _prefetch;
    private readonly bool _autoAck;
    private readonly Channel<DeliveredMessage> _buffer = Channel.CreateUnbounded<DeliveredMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<ulong, DeliveredMessage> _unsettled = new();
    private readonly SettlementSender _sender;
    private readonly ConsumerObserver _observer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IConsumerObserver? _reference;
    private State _state = State.Open;
    private Task? _pump;

    // Completed when a dispose (or a failed observer) has stopped the consumer; null until one starts.
    private TaskCompletionSource? _closed;

    // Received and not yet handed to the app.
    private int _buffered;

    // The credit protocol of CreditGrant: deliveries received in all, the limit last granted, and its sequence.
    private long _received;
    private long _grantedLimit;
    private long _grantSequence;

    // Set by a dispose: how many deliveries the queue sent in all, and who waits for the last of them.
    private long _expectedDeliveries = long.MaxValue;
    private TaskCompletionSource? _allReceived;

    private QueueConsumer(BrokerSession session, string queue, IQueueGrain queueGrain, string channelId, ConsumeOptions options)
    {
        _session = session;
        _queue = queueGrain;
        _channelId = channelId;
        _prefetch = options.Prefetch;
        _autoAck = options.AutoAck;
        Queue = queue;
        ConsumerTag = options.ConsumerTag is { Length: > 0 } tag ? tag : NewConsumerTag();
        _observer = new ConsumerObserver(this);
        _sender = new SettlementSender(queueGrain, channelId, CreditNow);
    }

    private enum State
    {
        Open,

        /// <summary>The queue was deleted: nothing more arrives, and what arrived needs no settling.</summary>
        CancelledByBroker,

        /// <summary>Being disposed: nothing more is handed to the app.</summary>
        Closing,

        Closed,
    }

    /// <summary>The queue consumed from.</summary>
    public string Queue { get; }

    /// <summary>Names the consumer at its queue (basic.consume's consumer tag).</summary>
    public string ConsumerTag { get; }

    /// <summary>The broker cancelled it: its queue was deleted.</summary>
    public bool CancelledByBroker
    {
        get
        {
            lock (_gate)
            {
                return _state == State.CancelledByBroker;
            }
        }
    }

    /// <summary>
    /// Completes when the consumer is over: disposed (its unsettled messages back in the queue), or cancelled by the
    /// broker (with an observer, once it was handed what arrived before). Fails with the exception an observer threw.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>Register with the queue; deliveries start at once.</summary>
    internal static async Task<QueueConsumer> StartAsync(BrokerSession session, string queue, string channelId, ConsumeOptions options, IDeliveryObserver? observer)
    {
        if (options.Prefetch == 0)
        {
            throw new ArgumentException("a consumer's prefetch must be at least 1: the broker never sends an app more than it can hold", nameof(options));
        }

        var queueGrain = session.Grains.GetGrain<IQueueGrain>(await session.VirtualHostGrain.ResolveQueue(queue, session.Id));
        var consumer = new QueueConsumer(session, queue, queueGrain, channelId, options);
        await consumer.RegisterAsync(options);
        if (observer is not null)
        {
            consumer._pump = consumer.PumpAsync(observer);
        }

        return consumer;
    }

    /// <summary>Stop consuming, as closing an AMQP channel does; see the class summary. Never throws.</summary>
    public ValueTask DisposeAsync() => new(Close(failure: null));

    /// <summary>The messages in the order the queue delivered them, until the consumer stops.</summary>
    internal async IAsyncEnumerable<DeliveredMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await _buffer.Reader.WaitToReadAsync(cancellationToken))
        {
            while (_buffer.Reader.TryRead(out var message))
            {
                if (!HandOver(message))
                {
                    yield break;
                }

                yield return message;
            }
        }
    }

    /// <summary>A batch from the queue (on an Orleans thread): buffered for the app, or, while closing, sent back unseen.</summary>
    internal void OnDeliveries(DeliveryBatch batch)
    {
        List<Settlement>? returned = null;
        lock (_gate)
        {
            foreach (var delivery in batch.Deliveries)
            {
                _received++;
                if (_state == State.Open)
                {
                    var message = new DeliveredMessage(_autoAck ? null : this, Queue, delivery);
                    if (!_autoAck)
                    {
                        _unsettled[delivery.MessageId] = message;
                    }

                    _buffered++;
                    _buffer.Writer.TryWrite(message);
                }
                else if (!_autoAck)
                {
                    // A no-ack delivery is the app's once sent, and is lost with the consumer, as in RabbitMQ.
                    (returned ??= new()).Add(new Settlement(delivery.MessageId, SettlementKind.Return));
                }
            }

            if (_allReceived is { } waiter && _received >= _expectedDeliveries)
            {
                waiter.TrySetResult();
            }
        }

        if (returned is not null)
        {
            _sender.SendInBackground(returned);
        }
    }

    /// <summary>The queue was deleted (on an Orleans thread). Its deliveries are forgotten with it: settling them does nothing.</summary>
    internal void OnCancelledByBroker()
    {
        lock (_gate)
        {
            _allReceived?.TrySetResult();
            if (_state != State.Open)
            {
                return;
            }

            _state = State.CancelledByBroker;
            _unsettled.Clear();
        }

        _buffer.Writer.TryComplete();
        _ = DeleteObserverReferenceAsync();
        _session.Forget(this);
        if (_pump is null)
        {
            _completion.TrySetResult();
        }
    }

    private async Task RegisterAsync(ConsumeOptions options)
    {
        // Orleans makes (and drops) object references only outside a grain's turn; a co-hosted app's grain consumes too,
        // so both happen on the thread pool, where the silo's hosted client takes them.
        _reference = await Task.Run(() => _session.Grains.CreateObjectReference<IConsumerObserver>(_observer));
        _grantedLimit = _prefetch;
        var registration = new ConsumerRegistration(_channelId, ConsumerTag, _autoAck, options.Exclusive, options.Arguments ?? FieldTable.Empty, _prefetch);
        try
        {
            await _queue.Consume(registration, _reference);
        }
        catch (Exception e)
        {
            await DeleteObserverReferenceAsync();
            await _session.ThrowIfQueueUnreachableAsync(e, Queue);
            throw;
        }
    }

    /// <summary>Hand the buffered messages to the observer, one call at a time, until the consumer stops.</summary>
    private async Task PumpAsync(IDeliveryObserver observer)
    {
        await Task.Yield(); // the caller of ConsumeAsync gets its consumer before the first call
        Pumping.Value = this;
        try
        {
            await foreach (var message in ReadAllAsync(_stopping.Token))
            {
                await observer.OnDeliveryAsync(message, _stopping.Token);
            }

            if (CancelledByBroker)
            {
                await observer.OnCancelledAsync();
                _completion.TrySetResult();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed: the dispose completes the consumer.
        }
        catch (Exception e)
        {
            _ = Close(e);
        }
    }

    /// <summary>Start stopping the consumer, once; completes when it stopped.</summary>
    private Task Close(Exception? failure)
    {
        TaskCompletionSource closed;
        lock (_gate)
        {
            if (_closed is not null)
            {
                return _closed.Task;
            }

            closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _closed = closed;
        }

        _ = CloseAsync(failure, closed);
        return closed.Task;
    }

    /// <summary>
    /// Cancel at the queue, wait (bounded) for the deliveries on their way, and send back what is not settled. Errors of
    /// the queue (gone, or its node down) end the consumer all the same: the queue no longer holds its deliveries then.
    /// Never throws.
    /// </summary>
    private async Task CloseAsync(Exception? failure, TaskCompletionSource closed)
    {
        try
        {
            bool wasOpen;
            lock (_gate)
            {
                wasOpen = _state == State.Open;
                _state = State.Closing;
            }

            _stopping.Cancel();
            _buffer.Writer.TryComplete();
            if (_pump is not null && Pumping.Value != this)
            {
                await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (wasOpen)
            {
                await CancelAtQueueAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await SendBackUnsettledAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await DeleteObserverReferenceAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                _session.Forget(this);
            }
        }
        finally
        {
            lock (_gate)
            {
                _state = State.Closed;
            }

            if (failure is null)
            {
                _completion.TrySetResult();
            }
            else
            {
                _completion.TrySetException(failure);
            }

            closed.TrySetResult();
        }
    }

    /// <summary>What the app was handed goes back marked redelivered; what it was not, unmarked (a Return).</summary>
    private async Task SendBackUnsettledAsync()
    {
        Settlement[] back;
        lock (_gate)
        {
            back = _unsettled.Values.Select(m => new Settlement(m.QueueMessageId, m.Seen ? SettlementKind.Requeue : SettlementKind.Return)).ToArray();
            _unsettled.Clear();
        }

        if (back.Length > 0)
        {
            await _sender.SendAsync(back);
        }

        await _sender.FlushAsync();
    }

    private async Task CancelAtQueueAsync()
    {
        var result = await _queue.Cancel(_channelId, ConsumerTag);
        if (result.Found)
        {
            Task? arrived = null;
            lock (_gate)
            {
                if (_received < result.Delivered)
                {
                    _expectedDeliveries = result.Delivered;
                    _allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    arrived = _allReceived.Task;
                }
            }

            if (arrived is not null)
            {
                await arrived.WaitAsync(DeliveryWaitLimit).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        if (result.LastConsumerOfAutoDeleteQueue)
        {
            await _session.VirtualHostGrain.QueueUnused(Queue);
        }
    }

    /// <summary>
    /// The app takes a message: false when the consumer is being disposed (the message goes back to the queue then).
    /// With automatic acknowledgement this is what frees credit: granted once half the prefetch is free.
    /// </summary>
    private bool HandOver(DeliveredMessage message)
    {
        bool creditDue;
        lock (_gate)
        {
            if (_state is State.Closing or State.Closed)
            {
                return false;
            }

            _buffered--;
            message.Seen = true;
            creditDue = _autoAck && _state == State.Open && _received + (_prefetch - _buffered) - _grantedLimit >= Math.Max(1, _prefetch / 2);
        }

        if (creditDue)
        {
            _sender.SendInBackground([]);
        }

        return true;
    }

    Task IDeliverySettler.SettleAsync(DeliveredMessage message, SettlementKind kind)
    {
        lock (_gate)
        {
            if (!_unsettled.Remove(message.QueueMessageId))
            {
                return _state == State.CancelledByBroker
                    ? Task.CompletedTask
                    : throw new InvalidOperationException($"consumer '{ConsumerTag}' of queue '{Queue}' stopped: the message went back to the queue");
            }
        }

        return _sender.SendAsync(new Settlement(message.QueueMessageId, kind));
    }

    /// <summary>
    /// The grant that goes with the next settlement call: the prefetch less what is outstanding (unsettled, or with
    /// automatic acknowledgement still buffered), beyond what was received; none when it would not raise the limit.
    /// </summary>
    private CreditGrant[] CreditNow()
    {
        lock (_gate)
        {
            if (_state != State.Open)
            {
                return [];
            }

            var outstanding = _autoAck ? _buffered : _unsettled.Count;
            var credit = Math.Max(_prefetch - outstanding, 0);
            if (_received + credit <= _grantedLimit)
            {
                return [];
            }

            _grantSequence++;
            _grantedLimit = _received + credit;
            return [new CreditGrant(ConsumerTag, _grantSequence, _received, credit)];
        }
    }

    /// <summary>Drop the observer's registration with Orleans (on the thread pool: see <see cref="RegisterAsync"/>).</summary>
    private Task DeleteObserverReferenceAsync()
    {
        IConsumerObserver? reference;
        lock (_gate)
        {
            reference = _reference;
            _reference = null;
        }

        return reference is null ? Task.CompletedTask : Task.Run(() => _session.Grains.DeleteObjectReference<IConsumerObserver>(reference));
    }

    /// <summary>"amq.ctag-" and 16 random bytes in URL-safe base64, as RabbitMQ names consumers.</summary>
    private static string NewConsumerTag()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return "amq.ctag-" + Convert.ToBase64String(random).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
