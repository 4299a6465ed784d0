using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Protocol;

namespace OrleansBroker.Gateway.Connections;

/// <summary>Heartbeats and timeouts, and every way a connection ends: closes both ways, errors, shutdown, and draining the peer.</summary>
internal sealed partial class AmqpConnection
{
    /// <summary>Once a second, from the registry's timer: heartbeats, handshake and closing timeouts.</summary>
    public void OnTick(long now)
    {
        switch (_state)
        {
            case ConnectionState.Closed:
                return;
            case ConnectionState.Draining:
                if (now > _closingDeadline)
                {
                    Abort();
                }

                return;
            case ConnectionState.Closing when now > _closingDeadline:
            case < ConnectionState.Open when now - _openedTicks > (long)_services.Options.HandshakeTimeout.TotalMilliseconds:
                Abort();
                return;
        }

        if (HeartbeatSeconds == 0 || _state < ConnectionState.AwaitingOpen)
        {
            return;
        }

        var interval = HeartbeatSeconds * 1000L;
        if (now - Volatile.Read(ref _lastReadTicks) > 2 * interval)
        {
            _services.Logger.LogInformation("connection {Id} from {Remote}: missed heartbeats from client, timeout: {Seconds}s", Id, RemoteAddress, HeartbeatSeconds);
            Abort();
            return;
        }

        if (now - Output.LastWriteTicks >= interval / 2)
        {
            Output.Write(0, static (output, _) => FrameWriter.WriteHeartbeat(output));
        }
    }

    /// <summary>Broker shutdown: connection.close 320 CONNECTION_FORCED, then the socket goes after a short grace.</summary>
    public void CloseForShutdown() => CloseForced("CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'");

    /// <summary>connection.close 320 CONNECTION_FORCED with this text (the broker stops, the vhost is deleted).</summary>
    public void CloseForced(string replyText)
    {
        if (_state >= ConnectionState.Closing)
        {
            return;
        }

        if (_state < ConnectionState.AwaitingTuneOk)
        {
            Abort();
            return;
        }

        SendConnectionClose(ReplyCode.ConnectionForced, replyText, 0);
        _closingDeadline = Environment.TickCount64 + 2000;
    }

    public void Abort()
    {
        _state = ConnectionState.Closed;
        _stop.Cancel();
        _abortSocket();
    }

    /// <summary>
    /// A hard error: send connection.close and stop processing. The client's close-ok (or a timeout)
    /// ends the connection; for errors that leave the stream unusable the socket closes at once.
    /// </summary>
    public void FailConnection(ReplyCode code, string text, uint methodId)
    {
        if (_state >= ConnectionState.Closing)
        {
            return;
        }

        _services.Logger.LogInformation("connection {Id} from {Remote}: closing: {Text}", Id, RemoteAddress, text);
        if (_state < ConnectionState.AwaitingOpen)
        {
            // Before tune-ok RabbitMQ answers nothing: it logs and drops the socket.
            _state = ConnectionState.Closed;
            return;
        }

        SendConnectionClose(code, text, methodId);
        if (IsFatal(code))
        {
            // The stream is out of step: no close-ok can be recognised in it, so the conversation ends here.
            EndConversation();
        }
        else
        {
            _closingDeadline = Environment.TickCount64 + 10_000;
        }
    }

    /// <summary>501 for method arguments that do not decode, worded as rabbit_reader words it.</summary>
    private void FailUndecodable(AmqpFormatException e, ushort channel, uint id, ReadOnlySpan<byte> arguments)
    {
        if (e.IsMalformedUtf8)
        {
            FailConnection(ReplyCode.FrameError, "FRAME_ERROR - Malformed UTF-8 in shortstr", 0);
            return;
        }

        FailFrame(AmqpFrameException.CannotDecode(channel, id, arguments));
    }

    private void FailFrame(AmqpFrameException e) => FailConnection(e.Code, e.ReplyText, e.MethodId);

    /// <summary>Errors after which the rest of the stream cannot be trusted to be read as frames.</summary>
    private static bool IsFatal(ReplyCode code) => code is ReplyCode.FrameError or ReplyCode.SyntaxError or ReplyCode.UnexpectedFrame;

    /// <summary>
    /// The client's connection.close, as RabbitMQ handles it: the channels first finish what came before it
    /// (publishes routed and confirmed, acks settled), then they go (unacked requeued, exclusive queues deleted),
    /// then close-ok, and after it nothing more is sent. Frames the client pipelined after the close are dropped.
    /// </summary>
    private async ValueTask CloseByClientAsync()
    {
        // Draining at once so that no later frame of this read is handled; the time bound starts with close-ok.
        _closingDeadline = long.MaxValue;
        _state = ConnectionState.Draining;
        try
        {
            await FlushChannelWorkAsync();
            await ReleaseAsync();
            SendMethod(0, default(ConnectionCloseOk));
        }
        finally
        {
            EndConversation();
        }
    }

    /// <summary>
    /// Nothing more is sent or parsed; the input is drained until the peer closes, at most
    /// <see cref="DrainTimeoutMilliseconds"/> (the registry's tick aborts the socket after that).
    /// </summary>
    private void EndConversation()
    {
        _closingDeadline = Environment.TickCount64 + DrainTimeoutMilliseconds;
        _state = ConnectionState.Draining;
        Output.Complete();
    }

    /// <summary>
    /// Reads and discards until the peer closes its side. Closing the socket with input unread (in the kernel,
    /// or arriving after) makes TCP answer with a reset, and a client still writing frames it queued before
    /// the close would see ECONNRESET or EPIPE; after the peer's FIN the socket closes with a FIN of ours.
    /// </summary>
    private async ValueTask DrainInputAsync()
    {
        var input = _transport.Input;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or Microsoft.AspNetCore.Connections.ConnectionResetException or ObjectDisposedException)
            {
                return;
            }

            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    private void SendConnectionClose(ReplyCode code, string text, uint methodId)
    {
        SendMethod(0, new ConnectionClose((ushort)code, ReplyCodeText.Truncate(text), (ushort)(methodId >> 16), (ushort)methodId));
        _state = ConnectionState.Closing;
    }
}
