using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Channels;

namespace OrleansBroker.Gateway.Connections;

/// <summary>What the management API reads of a connection, from any thread, and its close by an operator.</summary>
internal sealed partial class AmqpConnection
{
    /// <summary>The listener's address the client connected to ("127.0.0.1:5672").</summary>
    public string LocalAddress { get; init; } = "unknown";

    /// <summary>When the socket was accepted.</summary>
    public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Open: past connection.open-ok and not closing ("running" to RabbitMQ).</summary>
    public bool IsOpen => _state == ConnectionState.Open;

    /// <summary>The open channels, as the writer loop sees them (a copy made when the set changed).</summary>
    public IReadOnlyList<AmqpChannel> Channels => _channelSnapshot;

    /// <summary>
    /// Close for an operator (management API, CLI): connection.close 320 CONNECTION_FORCED with the reason, as
    /// rabbit_networking:close_connection sends it; the socket goes after a short grace.
    /// </summary>
    public void CloseByOperator(string reason)
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

        SendConnectionClose(ReplyCode.ConnectionForced, "CONNECTION_FORCED - " + reason, 0);
        _closingDeadline = Environment.TickCount64 + 2000;
    }
}
