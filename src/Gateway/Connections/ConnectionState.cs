namespace OrleansBroker.Gateway.Connections;

/// <summary>Where a connection is in its life; the order matters (comparisons mean "before"/"after").</summary>
internal enum ConnectionState
{
    AwaitingProtocolHeader,
    AwaitingStartOk,
    AwaitingTuneOk,
    AwaitingOpen,
    Open,

    /// <summary>We sent connection.close and wait for close-ok; everything else is ignored.</summary>
    Closing,
    Closed,
}
