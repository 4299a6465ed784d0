using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Authentication;
using OrleansBroker.Gateway.Channels;
using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.VirtualHosts;

namespace OrleansBroker.Gateway.Connections;

/// <summary>
/// One client connection: the handshake (protocol header, start, tune, open), channel 0, and the
/// dispatch of frames to channels. Frames are parsed in place from the pipe; the work a read
/// produced (publish batches, settlements) is flushed to the grains once per read. Errors close
/// the channel or the connection exactly as RabbitMQ's rabbit_reader does.
/// </summary>
internal sealed class AmqpConnection
{
    private static ReadOnlySpan<byte> ProtocolHeader => "AMQP\0\0\x09\x01"u8;

    /// <summary>The pre-0-9-1 header "AMQP" 1 1 0 9, which RabbitMQ also serves as 0-9-1.</summary>
    private static ReadOnlySpan<byte> LegacyProtocolHeader => "AMQP\x01\x01\x00\x09"u8;

    /// <summary>frame_max until tune-ok (AMQP's FRAME-MIN-SIZE), as RabbitMQ enforces it during the handshake.</summary>
    private const uint HandshakeFrameMax = 4096;

    /// <summary>
    /// How long a peer has to close its side once the conversation is over (<see cref="ConnectionState.Draining"/>);
    /// a few seconds, as RabbitMQ waits after a fatal error. A client normally closes at once; this bounds one that never does.
    /// </summary>
    private const long DrainTimeoutMilliseconds = 3000;

    private readonly GatewayServices _services;
    private readonly IDuplexPipe _transport;
    private readonly Action _abortSocket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<ushort, AmqpChannel> _channels = new();
    private readonly List<AmqpChannel> _channelsWithWork = new();
    private readonly long _openedTicks = Environment.TickCount64;
    // Volatile: the registry's timer reads it (and aborts) while the read loop runs.
    private volatile ConnectionState _state = ConnectionState.AwaitingProtocolHeader;

    // The open channels as the writer loop sees them (copy-on-write): it must not read the dictionary
    // the read loop changes.
    private volatile AmqpChannel[] _channelSnapshot = [];
    private long _lastReadTicks = Environment.TickCount64;
    private long _closingDeadline;
    private bool _vhostOpened;
    private bool _released;
    private long _channelsOpened;

    public AmqpConnection(GatewayServices services, string id, string remoteAddress, IDuplexPipe transport, Action abortSocket)
    {
        _services = services;
        Id = id;
        RemoteAddress = remoteAddress;
        _transport = transport;
        _abortSocket = abortSocket;
        Output.Drained += OnOutputDrained;
        FrameMax = HandshakeFrameMax;
        ChannelMax = services.Options.ChannelMax;
    }

    public string Id { get; }

    public string RemoteAddress { get; }

    public FrameOutput Output { get; } = new();

    public GatewayServices Services => _services;

    public string UserName { get; private set; } = string.Empty;

    public string VirtualHost { get; private set; } = string.Empty;

    public FieldTable ClientProperties { get; private set; } = FieldTable.Empty;

    /// <summary>Negotiated frame_max (frame header and end octet included).</summary>
    public uint FrameMax { get; private set; }

    public ushort ChannelMax { get; private set; }

    /// <summary>Negotiated heartbeat interval in seconds; 0 for none.</summary>
    public ushort HeartbeatSeconds { get; private set; }

    public IVirtualHostGrain VirtualHostGrain { get; private set; } = null!;

    /// <summary>Serve the connection until the client leaves, an error closes it, or the broker stops.</summary>
    public async Task RunAsync()
    {
        Output.Start(_transport.Output, _stop.Token);
        try
        {
            await ReadLoopAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _services.Logger.LogWarning(e, "connection {Id} from {Remote} failed", Id, RemoteAddress);
        }
        finally
        {
            if (_state != ConnectionState.Draining)
            {
                _state = ConnectionState.Closed;
            }

            await ReleaseAsync();
            Output.Complete();
            if (_state == ConnectionState.Draining)
            {
                await DrainInputAsync();
                _state = ConnectionState.Closed;
            }

            try
            {
                await Output.Done.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
            }

            await _stop.CancelAsync();
            await _transport.Input.CompleteAsync();
            await _transport.Output.CompleteAsync();
        }
    }

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
    public void CloseForShutdown()
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

        SendConnectionClose(ReplyCode.ConnectionForced, "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'", 0);
        _closingDeadline = Environment.TickCount64 + 2000;
    }

    public void Abort()
    {
        _state = ConnectionState.Closed;
        _stop.Cancel();
        _abortSocket();
    }

    public void SendMethod<T>(ushort channel, in T method)
        where T : struct, IAmqpMethod<T>
    {
        Output.Write((channel, method), static (output, s) => FrameWriter.WriteMethod(output, s.channel, s.method));
    }

    /// <summary>A channel has publishes or settlements to flush at the end of this read.</summary>
    public void NoteChannelWork(AmqpChannel channel)
    {
        if (!channel.HasWorkQueued)
        {
            channel.HasWorkQueued = true;
            _channelsWithWork.Add(channel);
        }
    }

    /// <summary>Flush every channel's queued publishes and settlements to the grains.</summary>
    public async ValueTask FlushChannelWorkAsync()
    {
        for (var i = 0; i < _channelsWithWork.Count; i++)
        {
            var channel = _channelsWithWork[i];
            channel.HasWorkQueued = false;
            await channel.FlushAsync();
        }

        _channelsWithWork.Clear();
    }

    /// <summary>Whether the client announced a capability (start-ok's client-properties "capabilities" table).</summary>
    public bool HasClientCapability(string name) =>
        ClientProperties.TryGetValue("capabilities", out var value)
        && value is FieldTable capabilities && capabilities.TryGetValue(name, out var flag) && flag is true;

    /// <summary>A queue's home node went down: cancel this connection's consumers of it (basic.cancel, as RabbitMQ).</summary>
    public void CancelConsumersOf(string queue)
    {
        foreach (var channel in _channelSnapshot)
        {
            channel.CancelConsumersOf(queue);
        }
    }

    public void RemoveChannel(ushort number)
    {
        if (_channels.Remove(number))
        {
            _channelSnapshot = _channels.Values.ToArray();
        }
    }

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

    private ValueTask HandleConnectionMethodAsync(uint id, ReadOnlySpan<byte> arguments)
    {
        switch (id)
        {
            case AmqpMethodIds.ConnectionStartOk when _state == ConnectionState.AwaitingStartOk:
                return StartOkAsync(ConnectionStartOk.Decode(arguments));

            case AmqpMethodIds.ConnectionTuneOk when _state == ConnectionState.AwaitingTuneOk:
                TuneOk(ConnectionTuneOk.Decode(arguments));
                return ValueTask.CompletedTask;

            case AmqpMethodIds.ConnectionOpen when _state == ConnectionState.AwaitingOpen:
                return OpenAsync(ConnectionOpen.Decode(arguments));

            case AmqpMethodIds.ConnectionClose:
                _ = ConnectionClose.Decode(arguments);
                return CloseByClientAsync();

            case AmqpMethodIds.ConnectionUpdateSecret when _state == ConnectionState.Open:
                return UpdateSecretAsync(ConnectionUpdateSecret.Decode(arguments));

            default:
                if (!AmqpMethodIds.IsKnown(id))
                {
                    FailConnection(ReplyCode.NotImplemented, $"NOT_IMPLEMENTED - {AmqpMethodIds.Name(id)}", id);
                }
                else
                {
                    var state = _state == ConnectionState.AwaitingOpen ? "opening" : "running";
                    FailConnection(ReplyCode.ChannelError, $"CHANNEL_ERROR - unexpected method in connection state {state}", id);
                }

                return ValueTask.CompletedTask;
        }
    }

    private async ValueTask StartOkAsync(ConnectionStartOk startOk)
    {
        ClientProperties = startOk.ClientProperties;

        if (Array.IndexOf(SaslResponse.Mechanisms, startOk.Mechanism) < 0)
        {
            FailConnection(ReplyCode.CommandInvalid, $"COMMAND_INVALID - unknown authentication mechanism '{startOk.Mechanism}'", AmqpMethodIds.ConnectionStartOk);
            return;
        }

        if (!SaslResponse.TryRead(startOk.Mechanism, startOk.Response, out var user, out var password))
        {
            // A response that does not parse is a protocol error, not a login failure: no reply.
            FailConnection(ReplyCode.AccessRefused, $"ACCESS_REFUSED - malformed {startOk.Mechanism} response", 0);
            return;
        }

        if (!await _services.Authenticator.AuthenticateAsync(user, password))
        {
            _services.Logger.LogWarning("connection {Id} from {Remote}: login refused for user '{User}' with mechanism {Mechanism}", Id, RemoteAddress, user, startOk.Mechanism);
            var text = $"ACCESS_REFUSED - Login was refused using authentication mechanism {startOk.Mechanism}. For details see the broker logfile.";
            if (HasClientCapability("authentication_failure_close"))
            {
                SendConnectionClose(ReplyCode.AccessRefused, text, 0);
                EndConversation();
                return;
            }

            _state = ConnectionState.Closed;
            return;
        }

        UserName = user;
        SendMethod(0, new ConnectionTune(_services.Options.ChannelMax, _services.Options.FrameMax, _services.Options.HeartbeatSeconds));
        _state = ConnectionState.AwaitingTuneOk;
    }

    private void TuneOk(ConnectionTuneOk tuneOk)
    {
        var serverFrameMax = _services.Options.FrameMax;
        var serverChannelMax = _services.Options.ChannelMax;
        if (tuneOk.FrameMax != 0 && tuneOk.FrameMax < 4096)
        {
            FailConnection(ReplyCode.NotAllowed, $"NOT_ALLOWED - frame_max={tuneOk.FrameMax} < 4096 min size", AmqpMethodIds.ConnectionTuneOk);
            return;
        }

        if (serverFrameMax != 0 && (tuneOk.FrameMax == 0 || tuneOk.FrameMax > serverFrameMax))
        {
            FailConnection(ReplyCode.NotAllowed, $"NOT_ALLOWED - frame_max={tuneOk.FrameMax} > {serverFrameMax} max size", AmqpMethodIds.ConnectionTuneOk);
            return;
        }

        if (serverChannelMax != 0 && (tuneOk.ChannelMax == 0 || tuneOk.ChannelMax > serverChannelMax))
        {
            FailConnection(ReplyCode.NotAllowed, $"NOT_ALLOWED - channel_max={tuneOk.ChannelMax} > {serverChannelMax} max size", AmqpMethodIds.ConnectionTuneOk);
            return;
        }

        FrameMax = tuneOk.FrameMax == 0 ? serverFrameMax : tuneOk.FrameMax;
        ChannelMax = tuneOk.ChannelMax == 0 ? (serverChannelMax == 0 ? ushort.MaxValue : serverChannelMax) : tuneOk.ChannelMax;
        HeartbeatSeconds = tuneOk.Heartbeat;
        _state = ConnectionState.AwaitingOpen;
    }

    private async ValueTask OpenAsync(ConnectionOpen open)
    {
        var access = await _services.Authenticator.CheckVirtualHostAsync(UserName, open.VirtualHost);
        if (access == VirtualHostAccess.NoSuchVirtualHost)
        {
            FailConnection(ReplyCode.NotAllowed, $"NOT_ALLOWED - vhost {open.VirtualHost} not found", AmqpMethodIds.ConnectionOpen);
            return;
        }

        if (access == VirtualHostAccess.Refused)
        {
            FailConnection(ReplyCode.NotAllowed, $"NOT_ALLOWED - access to vhost '{open.VirtualHost}' refused for user '{UserName}'", AmqpMethodIds.ConnectionOpen);
            return;
        }

        VirtualHost = open.VirtualHost;
        VirtualHostGrain = _services.Grains.GetGrain<IVirtualHostGrain>(VirtualHost);
        await _services.Routing.EnsureSubscribedAsync(VirtualHost);
        _vhostOpened = true;
        SendMethod(0, new ConnectionOpenOk(string.Empty));
        _state = ConnectionState.Open;
    }

    /// <summary>
    /// RabbitMQ's internal (password) backend accepts any new secret without checking it; only token
    /// backends act on it. We have password users only, so the same.
    /// </summary>
    private ValueTask UpdateSecretAsync(ConnectionUpdateSecret update)
    {
        _services.Logger.LogInformation("connection {Id}: secret updated ({Reason})", Id, update.Reason);
        SendMethod(0, default(ConnectionUpdateSecretOk));
        return ValueTask.CompletedTask;
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

    private async ValueTask ReleaseAsync()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        foreach (var channel in _channels.Values.ToArray())
        {
            try
            {
                await channel.ReleaseAsync();
            }
            catch (Exception e)
            {
                _services.Logger.LogWarning(e, "connection {Id}: releasing channel {Channel} failed", Id, channel.Number);
            }
        }

        _channels.Clear();
        _channelSnapshot = [];
        if (_vhostOpened)
        {
            try
            {
                await VirtualHostGrain.ConnectionClosed(Id);
            }
            catch (Exception e)
            {
                _services.Logger.LogWarning(e, "connection {Id}: deleting exclusive queues failed", Id);
            }
        }
    }

    private void OnOutputDrained()
    {
        foreach (var channel in _channelSnapshot)
        {
            channel.ResumeRefusedConsumers();
        }
    }

    private static ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> payload, out byte[]? rented)
    {
        if (payload.IsSingleSegment)
        {
            rented = null;
            return payload.FirstSpan;
        }

        rented = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        payload.CopyTo(rented);
        return rented.AsSpan(0, (int)payload.Length);
    }
}
