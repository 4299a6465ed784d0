using System.Net.Sockets;
using OrleansBroker.Hosting;
using OrleansBroker.Silo.Hosting;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrleansBroker.Tests.Integration.Hosting;

/// <summary>
/// Our broker's own lifecycle (these start brokers of their own, so they do not run against an
/// external broker): shutdown closes clients with 320 CONNECTION_FORCED, IPv6 listeners serve clients.
/// </summary>
public sealed class BrokerLifecycleTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansbroker-tests", Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Shutdown_closes_client_connections_with_320_connection_forced()
    {
        await using var host = await BrokerHost.StartAsync(new BrokerOptions { AmqpPort = 0, Bind = "127.0.0.1", DataDir = _dataDir });
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = host.AmqpPort, AutomaticRecoveryEnabled = false };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, args) =>
        {
            closed.TrySetResult(args);
            return Task.CompletedTask;
        };

        await host.StopAsync();

        var reason = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ShutdownInitiator.Peer, reason.Initiator);
        Assert.Equal(320, reason.ReplyCode);
        Assert.Equal("CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'", reason.ReplyText);
    }

    [Fact]
    public async Task Broker_stops_with_a_connection_in_the_middle_of_the_handshake()
    {
        await using var host = await BrokerHost.StartAsync(new BrokerOptions { AmqpPort = 0, Bind = "127.0.0.1", DataDir = _dataDir });
        await using var connection = await RawAmqpConnection.ConnectAsync("127.0.0.1", host.AmqpPort);
        await connection.SendAsync("AMQP"u8.ToArray());

        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));

        // Closed either way, without a reply: an orderly end of stream, or a reset (an aborted socket, as RabbitMQ's are).
        await connection.ExpectClosedAsync(timeout: TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_broker_bound_to_IPv6_loopback_serves_clients_on_it()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return;
        }

        await using var host = await BrokerHost.StartAsync(new BrokerOptions { AmqpPort = 0, Bind = "::1", DataDir = _dataDir });
        var factory = new ConnectionFactory { HostName = "::1", Port = host.AmqpPort, AutomaticRecoveryEnabled = false };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var queue = BrokerFixture.UniqueName("ipv6");
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: false);
        await channel.BasicPublishAsync(string.Empty, queue, "over IPv6"u8.ToArray());
        var got = await channel.BasicGetAsync(queue, autoAck: true);
        Assert.NotNull(got);
        Assert.Equal("over IPv6"u8.ToArray(), got.Body.ToArray());
    }
}
