namespace OrleansBroker.Tests.Infrastructure.RawAmqp;

/// <summary>The server closed the socket while the test still expected data.</summary>
internal sealed class ServerClosedException(int bufferedOctets, string message) : Exception(message)
{
    /// <summary>Octets of an incomplete frame that arrived before the close.</summary>
    public int BufferedOctets { get; } = bufferedOctets;
}
