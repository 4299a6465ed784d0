using System.Net;
using Microsoft.AspNetCore.Connections;

namespace OrleansBroker.Gateway.Connections;

/// <summary>Kestrel hands each accepted AMQP socket to this handler; it lives as long as the connection.</summary>
public sealed class AmqpConnectionHandler(GatewayServices services, ConnectionRegistry registry) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext context)
    {
        var connection = new AmqpConnection(services, registry.NextId(), context.RemoteEndPoint?.ToString() ?? "unknown", context.Transport, context.Abort)
        {
            FromLoopback = context.RemoteEndPoint is IPEndPoint remote && IPAddress.IsLoopback(remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address),
            LocalAddress = context.LocalEndPoint?.ToString() ?? "unknown",
        };
        registry.Add(connection);
        try
        {
            await connection.RunAsync();
        }
        finally
        {
            registry.Remove(connection);
        }
    }
}
