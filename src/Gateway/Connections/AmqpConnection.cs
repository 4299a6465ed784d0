using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Channels;
using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.VirtualHosts;

using OrleansBroker.Gateway.Authentication;

namespace OrleansBroker.Gateway.Connections;

/// <summary>
/// One client connection: the handshake (protocol header, start, tune, open), channel 0, and the
/// dispatch of frames to channels. Frames are parsed in place from the pipe; the work a read
/// produced (publish batches, settlements) is flushed to the grains once per read. Errors close
/// the channel or the connection exactly as RabbitMQ's rabbit_reader does.
/// </summary>
internal sealed partial class AmqpConnection
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

    /// <summary>The client connected from a loopback address (loopback_users may log in only so).</summary>
    public bool FromLoopback { get; init; }

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

    /// <summary>What the user may do in the vhost; set at connection.open, before any channel opens.</summary>
    internal ConnectionPermissions Permissions { get; private set; } = null!;

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
