using System.Buffers;
using System.Security.Cryptography;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Connections;
using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// One AMQP channel: its methods, content assembly, consumers, unsettled deliveries, confirms and
/// transactions. Methods run on the connection's read loop. Queues call <see cref="TryDeliver"/>
/// from their own turns; <see cref="_lock"/> (this channel's alone) guards what both touch.
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
    private readonly RoutingResult _routing = new();
    private readonly Dictionary<string, QueueBatch<Message>> _batches = new(StringComparer.Ordinal);
    private readonly List<QueueBatch<Message>> _batchesWithMessages = new();
    private readonly Dictionary<IQueueGrain, QueueBatch<Settlement>> _settlements = new();
    private readonly List<QueueBatch<Settlement>> _settlementsToSend = new();
    private readonly List<UnackedDelivery> _taken = new();
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

    public AmqpChannel(AmqpConnection connection, ushort number)
    {
        _connection = connection;
        Number = number;
        _routes = connection.Services.RoutingTables.For(connection.VirtualHost);
    }

    public ushort Number { get; }

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

    /// <summary>Flush what this read queued: publishes to queues, then confirms, then settlements and credit.</summary>
    public async ValueTask FlushAsync()
    {
        for (var i = 0; i < _batchesWithMessages.Count; i++)
        {
            var batch = _batchesWithMessages[i];
            await batch.Queue.Enqueue(batch.Items);
            batch.Clear();
        }

        _batchesWithMessages.Clear();
        if (_confirmMode && _publishSeq > _confirmedSeq)
        {
            _connection.SendMethod(Number, new BasicAck(_publishSeq, _publishSeq - _confirmedSeq > 1));
            _confirmedSeq = _publishSeq;
        }

        for (var i = 0; i < _settlementsToSend.Count; i++)
        {
            var batch = _settlementsToSend[i];
            await batch.Queue.Settle(batch.Items);
            batch.Clear();
        }

        _settlementsToSend.Clear();
        ForgetBatchesOfManyQueues();

        await ResumeConsumersWithCreditAsync();
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

    /// <summary>
    /// Offer from a queue's turn. Refuses (the queue then waits for ResumeDelivery) when the channel
    /// is closing, the consumer has not been confirmed yet, credit is used up, or output is backed up.
    /// </summary>
    public bool TryDeliver(ChannelConsumer consumer, in QueueDelivery delivery)
    {
        lock (_lock)
        {
            if (_state != ChannelState.Open || !consumer.Started || !HasCredit(consumer) || _connection.Output.IsCongested)
            {
                consumer.Refused = true;
                return false;
            }

            var tag = ++_nextDeliveryTag;
            if (!consumer.NoAck)
            {
                _unacked.Add(new UnackedDelivery(tag, consumer.Queue, delivery.MessageId, consumer));
                consumer.Unacked++;
            }

            var message = delivery.Message;
            var deliver = new BasicDeliver(consumer.ConsumerTag, tag, delivery.Redelivered, message.Exchange, message.RoutingKey);
            _connection.Output.Write(
                new DeliveryFrames<BasicDeliver>(Number, deliver, message, _connection.FrameMax),
                static (output, frames) => frames.Write(output));
            return true;
        }
    }

    /// <summary>The queue was deleted under a consumer: tell the client (consumer_cancel_notify).</summary>
    public void OnConsumerQueueDeleted(ChannelConsumer consumer)
    {
        lock (_lock)
        {
            if (!_consumers.Remove(consumer.ConsumerTag) || _state != ChannelState.Open)
            {
                return;
            }
        }

        if (_connection.HasClientCapability("consumer_cancel_notify"))
        {
            _connection.SendMethod(Number, new BasicCancel(consumer.ConsumerTag, true));
        }
    }

    /// <summary>Output drained: consumers refused for congestion may take deliveries again.</summary>
    public void ResumeRefusedConsumers() => _ = ResumeInBackgroundAsync();

    private async Task ResumeInBackgroundAsync()
    {
        try
        {
            await ResumeConsumersWithCreditAsync();
        }
        catch (Exception e)
        {
            // The queue is gone or the broker stops; the consumer is cancelled by other paths.
            Microsoft.Extensions.Logging.LoggerExtensions.LogDebug(_connection.Services.Logger, e, "resuming consumers on channel {Channel} failed", Number);
        }
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

    /// <summary>The channel is going (closed by either side, or the connection went): cancel consumers, requeue what is unsettled.</summary>
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
            _taken.Clear();
            _unacked.TakeAll(_taken);
        }

        foreach (var consumer in consumers)
        {
            if (await consumer.Queue.Cancel(consumer))
            {
                await VirtualHost.QueueUnused(consumer.QueueName);
            }
        }

        _transaction = null;
        foreach (var group in _taken.GroupBy(d => d.Queue))
        {
            await group.Key.Settle(group.Select(d => new Settlement(d.MessageId, SettlementKind.Requeue)).ToArray());
        }

        _taken.Clear();
        foreach (var batch in _batchesWithMessages)
        {
            batch.Clear();
        }

        _batchesWithMessages.Clear();
        foreach (var batch in _settlementsToSend)
        {
            batch.Clear();
        }

        _settlementsToSend.Clear();
    }

    private async ValueTask CloseByClientAsync()
    {
        await ReleaseAsync();
        _state = ChannelState.Closed;
        _connection.SendMethod(Number, default(ChannelCloseOk));
        _connection.RemoveChannel(Number);
    }

    private bool HasCredit(ChannelConsumer consumer)
    {
        if (consumer.NoAck)
        {
            return true;
        }

        if (consumer.Prefetch > 0 && consumer.Unacked >= consumer.Prefetch)
        {
            return false;
        }

        return _channelPrefetch == 0 || _unacked.Live < _channelPrefetch;
    }

    private async ValueTask ResumeConsumersWithCreditAsync()
    {
        while (TakeConsumerToResume() is { } consumer)
        {
            await consumer.Queue.ResumeDelivery(consumer);
        }
    }

    /// <summary>A consumer that refused an offer and may take deliveries again; it is marked not refused.</summary>
    private ChannelConsumer? TakeConsumerToResume()
    {
        lock (_lock)
        {
            if (_state != ChannelState.Open)
            {
                return null;
            }

            foreach (var consumer in _consumers.Values)
            {
                if (consumer.Refused && consumer.Started && HasCredit(consumer) && !_connection.Output.IsCongested)
                {
                    consumer.Refused = false;
                    return consumer;
                }
            }
        }

        return null;
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
}
