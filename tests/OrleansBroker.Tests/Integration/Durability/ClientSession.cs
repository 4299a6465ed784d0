using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.Durability;

/// <summary>A client connection and one confirming channel on it, closed together.</summary>
internal sealed record ClientSession(IConnection Connection, IChannel Channel) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Channel.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
