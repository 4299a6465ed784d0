using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Channels;
using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Gateway.Connections;

/// <summary>The read pump: frames parsed in place from the pipe, dispatched to channel 0 or a channel, and each read's work flushed.</summary>
internal sealed partial class AmqpConnection
{
    private async Task ReadLoopAsync()
    {
        var input = _transport.Input;
        while (_state < ConnectionState.Draining)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is IOException or Microsoft.AspNetCore.Connections.ConnectionResetException or ObjectDisposedException)
            {
                return;
            }

            Volatile.Write(ref _lastReadTicks, Environment.TickCount64);
            var buffer = result.Buffer;
            try
            {
                if (_state == ConnectionState.AwaitingProtocolHeader && !TryAcceptProtocolHeader(ref buffer, result.IsCompleted))
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                // Frames this read produces are sent when the batch ends; the batch is closed across
                // any await that goes asynchronous (OutputBatch).
                OutputBatch.Begin();
                try
                {
                    // Every frame of the read, then the flush of what they queued.
                    var flushed = false;
                    while (!flushed)
                    {
                        ValueTask step;
                        if (_state < ConnectionState.Draining && FrameReader.TryReadFrame(ref buffer, FrameMax, out var frame))
                        {
                            step = HandleFrameAsync(frame);
                        }
                        else
                        {
                            step = FlushChannelWorkAsync();
                            flushed = true;
                        }

                        if (step.IsCompletedSuccessfully)
                        {
                            continue;
                        }

                        OutputBatch.End();
                        try
                        {
                            await step;
                        }
                        finally
                        {
                            OutputBatch.Begin();
                        }
                    }
                }
                finally
                {
                    OutputBatch.End();
                }
            }
            catch (AmqpFrameException e) when (_state == ConnectionState.Closing)
            {
                // Waiting for close-ok in a stream that no longer splits into frames: none can be recognised now.
                _services.Logger.LogInformation("connection {Id} from {Remote}: {Text} while closing", Id, RemoteAddress, e.ReplyText);
                EndConversation();
            }
            catch (AmqpFrameException e)
            {
                FailFrame(e);
            }
            catch (AmqpFormatException e)
            {
                FailConnection(ReplyCode.FrameError, $"FRAME_ERROR - {e.Message}", 0);
            }

            if (_state >= ConnectionState.Draining)
            {
                // What followed the end of the conversation in this read is not looked at (RunAsync drains the rest).
                input.AdvanceTo(result.Buffer.End);

                // A frame error skips the flush that ends a read: the publishes and acks before it count all the same, as in RabbitMQ.
                await FlushChannelWorkAsync();
                return;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Check the 8-byte protocol header. A wrong one gets the header we speak and the socket closed.
    /// False when more bytes are needed or the connection is done.
    /// </summary>
    private bool TryAcceptProtocolHeader(ref ReadOnlySequence<byte> buffer, bool completed)
    {
        if (buffer.Length < 8)
        {
            if (completed)
            {
                _state = ConnectionState.Closed;
            }

            return false;
        }

        Span<byte> header = stackalloc byte[8];
        buffer.Slice(0, 8).CopyTo(header);
        buffer = buffer.Slice(8);
        if (!header.SequenceEqual(ProtocolHeader) && !header.SequenceEqual(LegacyProtocolHeader))
        {
            Output.Write(0, static (output, _) => FrameWriter.WriteProtocolHeader(output));
            _state = ConnectionState.Closed;
            return false;
        }

        SendMethod(0, new ConnectionStart(0, 9, ServerProperties.Table, "PLAIN AMQPLAIN"u8.ToArray(), "en_US"u8.ToArray()));
        _state = ConnectionState.AwaitingStartOk;
        return true;
    }

    private ValueTask HandleFrameAsync(in RawFrame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Heartbeat:
                if (frame.Channel != 0)
                {
                    FailFrame(AmqpFrameException.UnexpectedFrame((byte)frame.Type, frame.Channel, frame.Payload));
                }

                return ValueTask.CompletedTask;

            case FrameType.Method:
                return HandleMethodFrameAsync(frame);

            default:
                return HandleContentFrameAsync(frame);
        }
    }

    private ValueTask HandleMethodFrameAsync(in RawFrame frame)
    {
        var payload = Contiguous(frame.Payload, out var rented);
        var id = MethodFrameReader.Read(payload, out var arguments);
        try
        {
            if (_state == ConnectionState.Closing)
            {
                // After we sent connection.close only close and close-ok count (AMQP 0-9-1, 2.2.4).
                if (frame.Channel == 0 && id == AmqpMethodIds.ConnectionCloseOk)
                {
                    EndConversation();
                }
                else if (frame.Channel == 0 && id == AmqpMethodIds.ConnectionClose)
                {
                    SendMethod(0, default(ConnectionCloseOk));
                    EndConversation();
                }

                return ValueTask.CompletedTask;
            }

            if (frame.Channel == 0)
            {
                return HandleConnectionMethodAsync(id, arguments);
            }

            if (_state != ConnectionState.Open)
            {
                FailFrame(AmqpFrameException.UnexpectedFrame((byte)frame.Type, frame.Channel, frame.Payload));
                return ValueTask.CompletedTask;
            }

            if (!_channels.TryGetValue(frame.Channel, out var channel))
            {
                if (id != AmqpMethodIds.ChannelOpen)
                {
                    FailConnection(ReplyCode.ChannelError, "CHANNEL_ERROR - expected 'channel.open'", id);
                    return ValueTask.CompletedTask;
                }

                // channel_max limits how many channels are open, not their numbers (as RabbitMQ reads it).
                if (ChannelMax != 0 && _channels.Count >= ChannelMax)
                {
                    FailConnection(ReplyCode.NotAllowed, $"NOT_ALLOWED - number of channels opened ({_channels.Count}) has reached the negotiated channel_max ({ChannelMax})", 0);
                    return ValueTask.CompletedTask;
                }

                _ = ChannelOpen.Decode(arguments);
                channel = new AmqpChannel(this, frame.Channel, $"{Id}/{frame.Channel}.{++_channelsOpened}");
                _channels[frame.Channel] = channel;
                _channelSnapshot = _channels.Values.ToArray();
                SendMethod(frame.Channel, new ChannelOpenOk([]));
                return ValueTask.CompletedTask;
            }

            return DispatchToChannelAsync(channel, id, arguments);
        }
        catch (AmqpFormatException e)
        {
            FailUndecodable(e, frame.Channel, id, arguments);
            return ValueTask.CompletedTask;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private ValueTask DispatchToChannelAsync(AmqpChannel channel, uint id, ReadOnlySpan<byte> arguments)
    {
        // Publishes and acks are batched; anything else first flushes queued work so a client sees
        // its own earlier publishes and acks take effect in order.
        if (id != AmqpMethodIds.BasicPublish && id != AmqpMethodIds.BasicAck && _channelsWithWork.Count > 0)
        {
            return FlushThenDispatchAsync(channel, id, arguments.ToArray());
        }

        ValueTask pending;
        try
        {
            pending = channel.HandleMethod(id, arguments);
        }
        catch (Exception e) when (IsClientError(e))
        {
            return OnChannelError(channel, id, e);
        }

        return GuardAsync(channel, id, pending);
    }

    private async ValueTask FlushThenDispatchAsync(AmqpChannel channel, uint id, byte[] arguments)
    {
        await FlushChannelWorkAsync();
        ValueTask pending;
        try
        {
            pending = channel.HandleMethod(id, arguments);
        }
        catch (Exception e) when (IsClientError(e))
        {
            await OnChannelError(channel, id, e);
            return;
        }
        catch (AmqpFormatException e)
        {
            FailUndecodable(e, channel.Number, id, arguments);
            return;
        }

        await GuardAsync(channel, id, pending);
    }

    private ValueTask GuardAsync(AmqpChannel channel, uint id, ValueTask pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            return ValueTask.CompletedTask;
        }

        return Awaited(this, channel, id, pending);

        static async ValueTask Awaited(AmqpConnection connection, AmqpChannel channel, uint id, ValueTask pending)
        {
            try
            {
                await pending;
            }
            catch (Exception e) when (IsClientError(e))
            {
                await connection.OnChannelError(channel, id, e);
            }
        }
    }

    private static bool IsClientError(Exception e) => e is BrokerException or AmqpProtocolException;

    private ValueTask OnChannelError(AmqpChannel channel, uint id, Exception e)
    {
        var (code, text, methodId) = e switch
        {
            BrokerException b => (b.Code, b.ReplyText, id),
            AmqpProtocolException p => (p.Code, p.ReplyText, p.MethodId != 0 ? p.MethodId : id),
            _ => (ReplyCode.InternalError, "INTERNAL_ERROR", id),
        };

        if (ReplyCodeText.IsConnectionError(code))
        {
            FailConnection(code, text, methodId);
            return ValueTask.CompletedTask;
        }

        return channel.CloseByServer(code, text, methodId);
    }

    private ValueTask HandleContentFrameAsync(in RawFrame frame)
    {
        if (_state != ConnectionState.Open)
        {
            if (_state != ConnectionState.Closing)
            {
                FailFrame(AmqpFrameException.UnexpectedFrame((byte)frame.Type, frame.Channel, frame.Payload));
            }

            return ValueTask.CompletedTask;
        }

        if (frame.Channel == 0 || !_channels.TryGetValue(frame.Channel, out var channel))
        {
            var error = AmqpChannel.ExpectedMethodFrame();
            FailConnection(error.Code, error.ReplyText, 0);
            return ValueTask.CompletedTask;
        }

        try
        {
            var pending = frame.Type == FrameType.Header
                ? channel.HandleContentHeader(frame.Payload)
                : channel.HandleContentBody(frame.Payload);
            // Content errors name the method being assembled themselves; with none it is class and method 0.
            return GuardAsync(channel, 0, pending);
        }
        catch (Exception e) when (IsClientError(e))
        {
            return OnChannelError(channel, 0, e);
        }
    }
}
