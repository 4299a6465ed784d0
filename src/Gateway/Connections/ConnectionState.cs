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

    /// <summary>
    /// The conversation is over (close-ok sent or received, or a connection.close for a fatal error sent): nothing
    /// more is parsed or sent; what the peer still sends is read and discarded until it closes its side.
    /// </summary>
    Draining,
    Closed,
}
