using Microsoft.AspNetCore.Connections;

namespace OrleansBroker.Gateway.Connections;

/// <summary>Kestrel hands each accepted AMQP socket to this handler.</summary>
public sealed class AmqpConnectionHandler : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection) => Task.CompletedTask;
}
