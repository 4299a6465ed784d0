using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>
/// One test's connection and channel, plus the names it created: on dispose the queues and exchanges are
/// deleted again over a fresh connection, so runs against a long-lived RabbitMQ leave nothing behind.
/// </summary>
internal sealed class TopologyScope : IAsyncDisposable
{
    private readonly BrokerFixture _fixture;
    private readonly List<string> _queues = [];
    private readonly List<string> _exchanges = [];
    private readonly List<IConnection> _connections = [];

    private TopologyScope(BrokerFixture fixture, IConnection connection, IChannel channel)
    {
        _fixture = fixture;
        Connection = connection;
        Channel = channel;
        _connections.Add(connection);
    }

    public IConnection Connection { get; }

    /// <summary>A plain channel on <see cref="Connection"/>.</summary>
    public IChannel Channel { get; }

    public static async Task<TopologyScope> StartAsync(BrokerFixture fixture)
    {
        var conn = await fixture.ConnectAsync();
        var ch = await conn.CreateChannelAsync();
        return new TopologyScope(fixture, conn, ch);
    }

    /// <summary>Another connection, closed with the scope.</summary>
    public async Task<IConnection> ConnectAsync()
    {
        var conn = await _fixture.ConnectAsync();
        _connections.Add(conn);
        return conn;
    }

    public Task<IChannel> NewChannelAsync() => Connection.CreateChannelAsync();

    /// <summary>A unique queue name, deleted when the test ends.</summary>
    public string QueueName(string prefix = "q")
    {
        var name = BrokerFixture.UniqueName(prefix);
        _queues.Add(name);
        return name;
    }

    /// <summary>A unique exchange name, deleted when the test ends.</summary>
    public string ExchangeName(string prefix = "x")
    {
        var name = BrokerFixture.UniqueName(prefix);
        _exchanges.Add(name);
        return name;
    }

    /// <summary>Remembers a server-generated queue name for cleanup.</summary>
    public void Track(string queue) => _queues.Add(queue);

    /// <summary>Declares a plain (non-durable, non-exclusive, non-auto-delete) queue.</summary>
    public async Task<string> QueueAsync(string prefix = "q", IDictionary<string, object?>? arguments = null)
    {
        var name = QueueName(prefix);
        var ok = await Channel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false, arguments);
        Assert.Equal(name, ok.QueueName);
        return name;
    }

    /// <summary>Declares a non-durable, non-auto-delete exchange of the given type.</summary>
    public async Task<string> ExchangeAsync(string type, string prefix = "x")
    {
        var name = ExchangeName(prefix);
        await Channel.ExchangeDeclareAsync(name, type, durable: false, autoDelete: false);
        return name;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_queues.Count > 0 || _exchanges.Count > 0)
            {
                await using var conn = await _fixture.ConnectAsync("orleansbroker-tests-cleanup");
                var ch = await conn.CreateChannelAsync();
                foreach (var q in _queues)
                {
                    ch = await TryAsync(conn, ch, c => c.QueueDeleteAsync(q, ifUnused: false, ifEmpty: false));
                }

                foreach (var x in _exchanges)
                {
                    ch = await TryAsync(conn, ch, c => c.ExchangeDeleteAsync(x, ifUnused: false));
                }

                await ch.DisposeAsync();
            }
        }
        catch (Exception)
        {
            // Cleanup is best effort: a broker that cannot delete must not fail an otherwise passing test.
        }
        finally
        {
            foreach (var conn in _connections)
            {
                try
                {
                    await conn.DisposeAsync();
                }
                catch (Exception)
                {
                    // already closed by the broker
                }
            }
        }
    }

    private static async Task<IChannel> TryAsync(IConnection conn, IChannel ch, Func<IChannel, Task> op)
    {
        try
        {
            await op(ch);
            return ch;
        }
        catch (Exception)
        {
            await ch.DisposeAsync();
            return await conn.CreateChannelAsync();
        }
    }
}
