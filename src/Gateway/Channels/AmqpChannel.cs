using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Connections;
using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.Routing;
using OrleansBroker.Gateway.Authentication;

namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// One AMQP channel: its methods, content assembly, consumers, unsettled deliveries, confirms and
/// transactions. Methods run on the connection's read loop. Queues deliver through the channel's observer
/// on Orleans' threads; <see cref="_lock"/> (this channel's alone) guards what both touch.
/// Grains are never called while holding it.
/// </summary>
internal sealed partial class AmqpChannel
{
    /// <summary>Per-queue batches a channel keeps between reads (see <see cref="ForgetBatchesOfManyQueues"/>).</summary>
    private const int RetainedQueueBatches = 64;

    private readonly AmqpConnection _connection;
    private readonly object _lock = new();
    private readonly UnackedDeliveries _unacked = new();
    private readonly Dictionary<string, ChannelConsumer> _consumers = new(StringComparer.Ordinal);
    private readonly VirtualHostRoutingTable _routes;
    private readonly AccessChecks _access;
    private readonly RoutingResult _routing = new();
    private readonly Dictionary<string, MessageBatch> _batches = new(StringComparer.Ordinal);
    private readonly List<MessageBatch> _batchesWithMessages = new();
    private readonly Dictionary<IQueueGrain, QueueSettlements> _settlements = new();
    private readonly List<QueueSettlements> _settlementsToSend = new();
    private readonly List<UnackedDelivery> _taken = new();
    private readonly List<ValueTask> _calls = new();
    private readonly List<ValueTask<EnqueueOutcome>> _enqueues = new();

    // Publish sequence numbers a queue refused in the current flush (overflow reject-publish): nacked, not acked.
    private List<ulong>? _rejectedSequences;
    private ChannelState _state = ChannelState.Open;
    private ulong _nextDeliveryTag;
    private ushort _consumerPrefetch;
    private ushort _channelPrefetch;
    private string _lastDeclaredQueue = string.Empty;
    private bool _confirmMode;
    private ulong _publishSeq;
    private ulong _confirmedSeq;
    private ChannelTransaction? _transaction;
    private ContentAssembly _content;

    // Exchange and routing key of recent publishes, made on the first publish (most channels never publish).
    private ShortStringCache? _publishStrings;

    // The Orleans observer queues deliver to; made on the first basic.consume (most channels never consume).
    private ChannelObserver? _observer;
    private IConsumerObserver? _observerReference;

    public AmqpChannel(AmqpConnection connection, ushort number, string id)
    {
        _connection = connection;
        Number = number;
        Id = id;
        _routes = connection.Services.Routing.Table(connection.VirtualHost);
        _access = new AccessChecks(connection.Permissions, _routes);
    }

    public ushort Number { get; }

    /// <summary>Names this channel to queues, unique in the cluster (channel numbers are reused).</summary>
    public string Id { get; }

    /// <summary>Set by the connection while this channel is in its list of channels with work to flush.</summary>
    public bool HasWorkQueued { get; set; }

    private Grains.VirtualHosts.IVirtualHostGrain VirtualHost => _connection.VirtualHostGrain;

    private string ConnectionId => _connection.Id;

    /// <summary>Decode and run one method. Throws client errors (BrokerException, AmqpProtocolException).</summary>
    public ValueTask HandleMethod(uint id, ReadOnlySpan<byte> arguments)
    {
        if (_state == ChannelState.Closing)
        {
            // We sent channel.close: drop everything until the client's close-ok (or its own close).
            if (id == AmqpMethodIds.ChannelOpen)
            {
                throw new AmqpProtocolException(ReplyCode.ChannelError, "second 'channel.open' seen", id);
            }

            if (id == AmqpMethodIds.ChannelCloseOk)
            {
                _state = ChannelState.Closed;
                _connection.RemoveChannel(Number);
            }
            else if (id == AmqpMethodIds.ChannelClose)
            {
                _state = ChannelState.Closed;
                _connection.SendMethod(Number, default(ChannelCloseOk));
                _connection.RemoveChannel(Number);
            }

            return ValueTask.CompletedTask;
        }

        if (_content.Stage != ContentStage.None)
        {
            throw UnexpectedInContent();
        }

        switch (id)
        {
            case AmqpMethodIds.BasicPublish:
                StartPublish(BasicPublish.Decode(arguments, _publishStrings ??= new ShortStringCache()));
                return ValueTask.CompletedTask;
            case AmqpMethodIds.BasicAck:
                var ack = BasicAck.Decode(arguments);
                Settle(ack.DeliveryTag, ack.Multiple, SettlementKind.Ack, id);
                return ValueTask.CompletedTask;
            case AmqpMethodIds.BasicNack:
                var nack = BasicNack.Decode(arguments);
                Settle(nack.DeliveryTag, nack.Multiple, nack.Requeue ? SettlementKind.Requeue : SettlementKind.Discard, id);
                return ValueTask.CompletedTask;
            case AmqpMethodIds.BasicReject:
                var reject = BasicReject.Decode(arguments);
                Settle(reject.DeliveryTag, false, reject.Requeue ? SettlementKind.Requeue : SettlementKind.Discard, id);
                return ValueTask.CompletedTask;
            case AmqpMethodIds.BasicQos:
                Qos(BasicQos.Decode(arguments));
                return ValueTask.CompletedTask;
            case AmqpMethodIds.BasicConsume:
                return ConsumeAsync(BasicConsume.Decode(arguments));
            case AmqpMethodIds.BasicCancel:
                return CancelAsync(BasicCancel.Decode(arguments));
            case AmqpMethodIds.BasicGet:
                return GetAsync(BasicGet.Decode(arguments));
            case AmqpMethodIds.BasicRecover:
                return RecoverAsync(BasicRecover.Decode(arguments).Requeue, reply: true);
            case AmqpMethodIds.BasicRecoverAsync:
                return RecoverAsync(BasicRecoverAsync.Decode(arguments).Requeue, reply: false);
            case AmqpMethodIds.ExchangeDeclare:
                return ExchangeDeclareAsync(ExchangeDeclare.Decode(arguments));
            case AmqpMethodIds.ExchangeDelete:
                return ExchangeDeleteAsync(ExchangeDelete.Decode(arguments));
            case AmqpMethodIds.ExchangeBind:
                return ExchangeBindAsync(ExchangeBind.Decode(arguments));
            case AmqpMethodIds.ExchangeUnbind:
                return ExchangeUnbindAsync(ExchangeUnbind.Decode(arguments));
            case AmqpMethodIds.QueueDeclare:
                return QueueDeclareAsync(QueueDeclare.Decode(arguments));
            case AmqpMethodIds.QueueBind:
                return QueueBindAsync(QueueBind.Decode(arguments));
            case AmqpMethodIds.QueueUnbind:
                return QueueUnbindAsync(QueueUnbind.Decode(arguments));
            case AmqpMethodIds.QueuePurge:
                return QueuePurgeAsync(QueuePurge.Decode(arguments));
            case AmqpMethodIds.QueueDelete:
                return QueueDeleteAsync(QueueDelete.Decode(arguments));
            case AmqpMethodIds.ConfirmSelect:
                SelectConfirmMode(ConfirmSelect.Decode(arguments));
                return ValueTask.CompletedTask;
            case AmqpMethodIds.TxSelect:
                TxSelect();
                return ValueTask.CompletedTask;
            case AmqpMethodIds.TxCommit:
                return TxCommitAsync();
            case AmqpMethodIds.TxRollback:
                TxRollback();
                return ValueTask.CompletedTask;
            case AmqpMethodIds.ChannelClose:
                _ = ChannelClose.Decode(arguments);
                return CloseByClientAsync();
            case AmqpMethodIds.ChannelCloseOk:
                return ValueTask.CompletedTask;
            case AmqpMethodIds.ChannelFlow:
                Flow(ChannelFlow.Decode(arguments));
                return ValueTask.CompletedTask;
            case AmqpMethodIds.ChannelOpen:
                throw new AmqpProtocolException(ReplyCode.ChannelError, "second 'channel.open' seen", id);
            case AmqpMethodIds.AccessRequest:
                _ = AccessRequest.Decode(arguments);
                _connection.SendMethod(Number, new AccessRequestOk(1));
                return ValueTask.CompletedTask;
            default:
                if (!AmqpMethodIds.IsKnown(id))
                {
                    throw new AmqpProtocolException(ReplyCode.NotImplemented, AmqpMethodIds.Name(id), id);
                }

                if (AmqpMethodIds.HasContent(id))
                {
                    // RabbitMQ assembles the content of a method it does not take before refusing it.
                    _content = new ContentAssembly { Stage = ContentStage.ExpectHeader, MethodId = id, Exchange = string.Empty, RoutingKey = string.Empty, Buffer = [] };
                    return ValueTask.CompletedTask;
                }

                throw Unimplemented(id);
        }
    }

    private static AmqpProtocolException Unimplemented(uint id) => new(ReplyCode.CommandInvalid, "unimplemented method", id);

    /// <summary>A frame that does not fit the content being assembled: 505, naming the method it belongs to.</summary>
    private AmqpProtocolException UnexpectedInContent() => new(
        ReplyCode.UnexpectedFrame,
        _content.Stage == ContentStage.ExpectHeader
            ? "expected content header for class 60, got non content header frame instead"
            : "expected content body, got non content body frame instead",
        _content.MethodId);

    /// <summary>
    /// Flush what this read queued: publishes to queues (all queues at once), then confirms, then settlements
    /// and credit. A queue that cannot take its messages (its node just died) costs the publisher a nack of what
    /// this read published, as RabbitMQ nacks what a dying queue did not take; the channel goes on.
    /// </summary>
    public async ValueTask FlushAsync()
    {
        Exception? enqueueFailure = null;
        if (_batchesWithMessages.Count > 0)
        {
            foreach (var batch in _batchesWithMessages)
            {
                _enqueues.Add(batch.Queue.Enqueue(new Orleans.Concurrency.Immutable<Message[]>(batch.Take())));
            }

            enqueueFailure = await AwaitEnqueuesAsync();
            _batchesWithMessages.Clear();
            if (enqueueFailure is not null)
            {
                _connection.Services.Logger.LogInformation("channel {Channel}: a queue did not take published messages: {Reason}", Id, enqueueFailure.Message);
            }
        }

        if (_confirmMode && _publishSeq > _confirmedSeq)
        {
            var multiple = _publishSeq - _confirmedSeq > 1;
            if (enqueueFailure is not null)
            {
                _connection.SendMethod(Number, new BasicNack(_publishSeq, multiple, true));
            }
            else if (_rejectedSequences is { Count: > 0 })
            {
                SendConfirmsWithNacks(_rejectedSequences);
            }
            else
            {
                _connection.SendMethod(Number, new BasicAck(_publishSeq, multiple));
            }

            _confirmedSeq = _publishSeq;
        }

        if (_consumersToCredit.Count > 0)
        {
            QueueCreditGrants();
        }

        if (_settlementsToSend.Count > 0)
        {
            foreach (var settlements in _settlementsToSend)
            {
                _calls.Add(settlements.Queue.Settle(settlements.TakeBatch(Id)));
            }

            _settlementsToSend.Clear();
            if (await AwaitCallsAsync() is { } settleFailure)
            {
                // The queue is gone or its node is down: RabbitMQ, too, takes acks of such deliveries and does nothing.
                _connection.Services.Logger.LogDebug("channel {Channel}: settlements not taken: {Reason}", Id, settleFailure.Message);
            }
        }

        ForgetBatchesOfManyQueues();
    }

    /// <summary>
    /// Await the enqueue calls, one per batch in <see cref="_batchesWithMessages"/> order, all of them even when one
    /// fails; collect the sequence numbers of refused messages; return the first failure.
    /// </summary>
    private async ValueTask<Exception?> AwaitEnqueuesAsync()
    {
        Exception? failure = null;
        for (var i = 0; i < _enqueues.Count; i++)
        {
            var batch = _batchesWithMessages[i];
            try
            {
                if ((await _enqueues[i]).Rejected is { } rejected && _confirmMode)
                {
                    _rejectedSequences ??= new List<ulong>();
                    foreach (var position in rejected)
                    {
                        _rejectedSequences.Add(batch.SequenceAt(position));
                    }
                }
            }
            catch (Exception e)
            {
                failure ??= e;
            }

            batch.Answered();
        }

        _enqueues.Clear();
        return failure;
    }

    /// <summary>
    /// Confirm everything published up to <see cref="_publishSeq"/>: a nack for each refused message (a message routed
    /// to several queues is nacked when any of them refused it), acks (multiple) for the runs between them.
    /// </summary>
    private void SendConfirmsWithNacks(List<ulong> rejected)
    {
        rejected.Sort();
        var confirmed = _confirmedSeq;
        foreach (var sequence in rejected)
        {
            if (sequence <= confirmed)
            {
                continue;
            }

            if (sequence - 1 > confirmed)
            {
                _connection.SendMethod(Number, new BasicAck(sequence - 1, sequence - 1 - confirmed > 1));
            }

            _connection.SendMethod(Number, new BasicNack(sequence, false, false));
            confirmed = sequence;
        }

        if (_publishSeq > confirmed)
        {
            _connection.SendMethod(Number, new BasicAck(_publishSeq, _publishSeq - confirmed > 1));
        }

        rejected.Clear();
    }

    /// <summary>Await the grain calls started in <see cref="_calls"/>, all of them even when one fails; returns the first failure.</summary>
    private async ValueTask<Exception?> AwaitCallsAsync()
    {
        Exception? failure = null;
        for (var i = 0; i < _calls.Count; i++)
        {
            try
            {
                await _calls[i];
            }
            catch (Exception e)
            {
                failure ??= e;
            }
        }

        _calls.Clear();
        return failure;
    }

    /// <summary>
    /// The batches are kept to be reused by the next read, but a channel that talks to ever new queues (an RPC
    /// server replying to each client's reply queue) must not keep one per queue it ever saw. They are all empty
    /// after a flush.
    /// </summary>
    private void ForgetBatchesOfManyQueues()
    {
        if (_batches.Count > RetainedQueueBatches)
        {
            _batches.Clear();
        }

        if (_settlements.Count > RetainedQueueBatches)
        {
            _settlements.Clear();
        }
    }

    /// <summary>The settlements and credit going to one queue at the next flush.</summary>
    private QueueSettlements SettlementsFor(IQueueGrain queue)
    {
        if (!_settlements.TryGetValue(queue, out var settlements))
        {
            settlements = new QueueSettlements(queue);
            _settlements[queue] = settlements;
        }

        if (settlements.IsEmpty)
        {
            _settlementsToSend.Add(settlements);
        }

        return settlements;
    }

    /// <summary>A soft error: channel.close to the client; its resources go at once.</summary>
    public async ValueTask CloseByServer(ReplyCode code, string text, uint methodId)
    {
        if (_state != ChannelState.Open)
        {
            return;
        }

        _state = ChannelState.Closing;
        _content = default;
        _connection.SendMethod(Number, new ChannelClose((ushort)code, ReplyCodeText.Truncate(text), (ushort)(methodId >> 16), (ushort)methodId));
        await ReleaseAsync();
    }

    /// <summary>
    /// The channel is going (closed by either side, or the connection went): cancel consumers, wait (bounded) for
    /// the deliveries already on their way, which go back to their queues, and requeue what is unsettled.
    /// </summary>
    public async ValueTask ReleaseAsync()
    {
        ChannelConsumer[] consumers;
        lock (_lock)
        {
            if (_state == ChannelState.Open)
            {
                _state = ChannelState.Closed;
            }

            consumers = _consumers.Values.ToArray();
            _consumers.Clear();
        }

        ReleaseDirectReplyTo();

        foreach (var consumer in consumers)
        {
            await CancelAtQueueAsync(consumer);
        }

        lock (_lock)
        {
            _taken.Clear();
            _unacked.TakeAll(_taken);
        }

        _transaction = null;
        foreach (var group in _taken.GroupBy(d => d.Queue))
        {
            await group.Key.Settle(new SettlementBatch(Id, group.Select(d => new Settlement(d.MessageId, SettlementKind.Requeue)).ToArray(), []));
        }

        _taken.Clear();
        foreach (var batch in _batchesWithMessages)
        {
            batch.Clear();
        }

        _batchesWithMessages.Clear();
        foreach (var settlements in _settlementsToSend)
        {
            settlements.Clear();
        }

        _settlementsToSend.Clear();
        if (_observerReference is not null)
        {
            _connection.Services.LocalChannels.Remove(Id);
            _connection.Services.Grains.DeleteObjectReference<IConsumerObserver>(_observerReference);
            _observerReference = null;
            _observer = null;
        }
    }

    private async ValueTask CloseByClientAsync()
    {
        await ReleaseAsync();
        _state = ChannelState.Closed;
        _connection.SendMethod(Number, default(ChannelCloseOk));
        _connection.RemoveChannel(Number);
    }

    /// <summary>"" in queue.bind, consume, get, purge, delete means the queue this channel declared last.</summary>
    private string QueueName(string name, uint methodId)
    {
        if (name.Length > 0)
        {
            return name;
        }

        return _lastDeclaredQueue.Length > 0
            ? _lastDeclaredQueue
            : throw new AmqpProtocolException(ReplyCode.NotFound, "no previously declared queue", methodId);
    }

    private static string NewConsumerTag()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return "amq.ctag-" + Convert.ToBase64String(random).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private IQueueGrain QueueGrain(string grainKey) => _connection.Services.Grains.GetGrain<IQueueGrain>(grainKey);

    /// <summary>The observer reference queues deliver to, registered with Orleans on first use.</summary>
    private IConsumerObserver ObserverReference()
    {
        if (_observerReference is null)
        {
            _observer = new ChannelObserver(this);
            _observerReference = _connection.Services.Grains.CreateObjectReference<IConsumerObserver>(_observer);
            _connection.Services.LocalChannels.Add(Id, _observer);
        }

        return _observerReference;
    }
}
