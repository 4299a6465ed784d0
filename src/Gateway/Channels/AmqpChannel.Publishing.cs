using System.Buffers;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.DirectReplyTo;
using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.DirectReplyTo;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Gateway.Channels;

/// <summary>basic.publish and its content, routing, mandatory returns, confirms and transactions.</summary>
internal sealed partial class AmqpChannel
{
    private const ushort BasicClassId = 60;

    private void StartPublish(BasicPublish publish)
    {
        if (publish.Immediate)
        {
            throw new AmqpProtocolException(ReplyCode.NotImplemented, "immediate=true", AmqpMethodIds.BasicPublish);
        }

        _content = new ContentAssembly
        {
            Stage = ContentStage.ExpectHeader,
            MethodId = AmqpMethodIds.BasicPublish,
            Exchange = publish.Exchange,
            RoutingKey = publish.RoutingKey,
            Mandatory = publish.Mandatory,
            Buffer = [],
        };
    }

    public ValueTask HandleContentHeader(in ReadOnlySequence<byte> payload)
    {
        if (_state == ChannelState.Closing)
        {
            return ValueTask.CompletedTask;
        }

        if (_content.Stage == ContentStage.None)
        {
            throw ExpectedMethodFrame();
        }

        if (_content.Stage != ContentStage.ExpectHeader)
        {
            throw UnexpectedInContent();
        }

        byte[]? rented = null;
        var span = payload.IsSingleSegment ? payload.FirstSpan : Rent(payload, out rented);
        try
        {
            ContentHeaderReader.Read(span, out var classId, out var bodySize, out var properties);
            if (classId != BasicClassId)
            {
                throw new AmqpProtocolException(ReplyCode.UnexpectedFrame, $"expected content header for class {BasicClassId}, got one for class {classId} instead", _content.MethodId);
            }

            var max = _connection.Services.Options.MaxMessageSize;
            if (bodySize > (ulong)max)
            {
                throw new AmqpProtocolException(ReplyCode.PreconditionFailed, $"message size {bodySize} is larger than configured max size {max}", AmqpMethodIds.BasicPublish);
            }

            _content.Buffer = new byte[properties.Length + (int)bodySize];
            properties.CopyTo(_content.Buffer);
            _content.PropertiesLength = properties.Length;
            _content.Received = 0;
            _content.Stage = ContentStage.ExpectBody;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return bodySizeIsZero() ? CompletePublish() : ValueTask.CompletedTask;

        bool bodySizeIsZero() => _content.Buffer.Length == _content.PropertiesLength;
    }

    public ValueTask HandleContentBody(in ReadOnlySequence<byte> payload)
    {
        if (_state == ChannelState.Closing)
        {
            return ValueTask.CompletedTask;
        }

        if (_content.Stage == ContentStage.None)
        {
            throw ExpectedMethodFrame();
        }

        if (_content.Stage != ContentStage.ExpectBody)
        {
            throw UnexpectedInContent();
        }

        var remaining = _content.Buffer.Length - _content.PropertiesLength - _content.Received;
        if (payload.Length > remaining)
        {
            throw new AmqpProtocolException(ReplyCode.UnexpectedFrame, $"content body larger than the {_content.Buffer.Length - _content.PropertiesLength} octets its header announced", _content.MethodId);
        }

        payload.CopyTo(_content.Buffer.AsSpan(_content.PropertiesLength + _content.Received));
        _content.Received += (int)payload.Length;
        return _content.Received == _content.Buffer.Length - _content.PropertiesLength ? CompletePublish() : ValueTask.CompletedTask;
    }

    /// <summary>The whole message is here: check the exchange, route it, and queue it for the flush.</summary>
    private ValueTask CompletePublish()
    {
        var content = _content;
        _content = default;
        if (content.MethodId != AmqpMethodIds.BasicPublish)
        {
            throw Unimplemented(content.MethodId);
        }

        var buffer = content.Buffer.AsMemory();
        var properties = buffer[..content.PropertiesLength];
        var summary = BasicPropertiesReader.ReadSummary(properties.Span);
        var message = new Message(content.Exchange, content.RoutingKey, properties, summary, buffer[content.PropertiesLength..]);

        _access.Publish(content.Exchange, content.RoutingKey);
        if (!_routes.TryGetExchange(content.Exchange, out var exchange))
        {
            throw new AmqpProtocolException(ReplyCode.NotFound, $"no exchange '{content.Exchange}' in vhost '{_connection.VirtualHost}'", AmqpMethodIds.BasicPublish);
        }

        if (exchange.Internal)
        {
            throw new AmqpProtocolException(ReplyCode.AccessRefused, $"cannot publish to internal exchange '{content.Exchange}' in vhost '{_connection.VirtualHost}'", AmqpMethodIds.BasicPublish);
        }

        if (ReplyToProperty.AsksForDirectReply(properties.Span))
        {
            message = WithDirectReplyTo(message);
        }

        if (summary.Expiration is { } expiration)
        {
            CheckExpiration(expiration);
        }

        if (summary.UserId is { } userId && !string.Equals(userId, _connection.UserName, StringComparison.Ordinal) && !_access.IsImpersonator)
        {
            throw new AmqpProtocolException(ReplyCode.PreconditionFailed, $"user_id property set to '{userId}' but authenticated user was '{_connection.UserName}'", AmqpMethodIds.BasicPublish);
        }

        _routing.Clear();
        _routes.Route(content.Exchange, message, _routing);
        if (content.Exchange.Length == 0 && DirectReplyNames.IsReplyName(content.RoutingKey))
        {
            DeliverDirectReply(message);
        }

        if (_confirmMode)
        {
            _publishSeq++;
            _connection.NoteChannelWork(this);
        }

        var queues = _routing.Queues;
        if (_transaction is not null)
        {
            _transaction.Publishes.Add((message, queues.ToArray(), content.Mandatory));
            return ValueTask.CompletedTask;
        }

        if (queues.Count == 0)
        {
            if (content.Mandatory)
            {
                SendReturn(message);
            }

            return ValueTask.CompletedTask;
        }

        foreach (var queue in queues)
        {
            AddToBatch(queue, message);
        }

        _connection.NoteChannelWork(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>A header or body with no content being assembled on this channel.</summary>
    internal static AmqpProtocolException ExpectedMethodFrame() =>
        new(ReplyCode.UnexpectedFrame, "expected method frame, got non method frame instead");

    private void SendReturn(Message message)
    {
        var basicReturn = new BasicReturn((ushort)ReplyCode.NoRoute, "NO_ROUTE", message.Exchange, message.RoutingKey);
        _connection.Output.Write(
            new DeliveryFrames<BasicReturn>(Number, basicReturn, message, _connection.FrameMax),
            static (output, frames) => frames.Write(output));
    }

    /// <summary>The expiration property must be a non-negative integer of milliseconds (rabbit_basic:parse_expiration).</summary>
    private static void CheckExpiration(string expiration)
    {
        if (!long.TryParse(expiration, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds))
        {
            throw new AmqpProtocolException(ReplyCode.PreconditionFailed, $"invalid expiration '{expiration}': no_integer", AmqpMethodIds.BasicPublish);
        }

        if (milliseconds < 0)
        {
            throw new AmqpProtocolException(ReplyCode.PreconditionFailed, $"invalid expiration '{expiration}': {{value_negative,{milliseconds}}}", AmqpMethodIds.BasicPublish);
        }
    }

    private void AddToBatch(string queueName, Message message)
    {
        if (!_batches.TryGetValue(queueName, out var batch))
        {
            batch = new MessageBatch(QueueGrain(GrainKeys.Queue(_connection.VirtualHost, queueName)));
            _batches[queueName] = batch;
        }

        if (batch.Count == 0)
        {
            _batchesWithMessages.Add(batch);
        }

        batch.Add(message, _confirmMode ? _publishSeq : 0);
    }

    private void SelectConfirmMode(ConfirmSelect select)
    {
        if (_transaction is not null)
        {
            throw new AmqpProtocolException(ReplyCode.PreconditionFailed, "cannot switch from tx to confirm mode", AmqpMethodIds.ConfirmSelect);
        }

        _confirmMode = true;
        if (!select.NoWait)
        {
            _connection.SendMethod(Number, default(ConfirmSelectOk));
        }
    }

    private void TxSelect()
    {
        if (_confirmMode)
        {
            throw new AmqpProtocolException(ReplyCode.PreconditionFailed, "cannot switch from confirm to tx mode", AmqpMethodIds.TxSelect);
        }

        _transaction ??= new ChannelTransaction();
        _connection.SendMethod(Number, default(TxSelectOk));
    }

    private async ValueTask TxCommitAsync()
    {
        var transaction = _transaction ?? throw new AmqpProtocolException(ReplyCode.PreconditionFailed, "channel is not transactional", AmqpMethodIds.TxCommit);
        foreach (var (message, queues, mandatory) in transaction.Publishes)
        {
            if (queues.Length == 0 && mandatory)
            {
                SendReturn(message);
            }

            foreach (var queue in queues)
            {
                AddToBatch(queue, message);
            }
        }

        foreach (var (kind, deliveries) in transaction.Settlements)
        {
            lock (_lock)
            {
                ReleaseCredit(deliveries);
            }

            QueueSettlements(kind, deliveries);
        }

        transaction.Publishes.Clear();
        transaction.Settlements.Clear();
        await FlushAsync();
        _connection.SendMethod(Number, default(TxCommitOk));
    }

    private void TxRollback()
    {
        var transaction = _transaction ?? throw new AmqpProtocolException(ReplyCode.PreconditionFailed, "channel is not transactional", AmqpMethodIds.TxRollback);
        var undone = transaction.Settlements.SelectMany(s => s.Deliveries).ToList();
        lock (_lock)
        {
            _unacked.Restore(undone);
        }

        transaction.Publishes.Clear();
        transaction.Settlements.Clear();
        _connection.SendMethod(Number, default(TxRollbackOk));
    }

    private static ReadOnlySpan<byte> Rent(in ReadOnlySequence<byte> payload, out byte[] rented)
    {
        rented = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        payload.CopyTo(rented);
        return rented.AsSpan(0, (int)payload.Length);
    }
}
