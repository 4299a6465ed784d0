using System.Text;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;

namespace OrleansBroker.Tests.Wire;

/// <summary>
/// A well-behaved raw connection opened before a test misbehaves on another one. Afterwards it must still do a
/// publish / basic.get round trip through its own exclusive queue: bad input on one connection is never
/// noticed by another.
/// </summary>
internal sealed class Bystander : IAsyncDisposable
{
    private const ushort Channel = 1;
    private readonly RawAmqpConnection _connection;
    private readonly string _queue;
    private int _round;

    private Bystander(RawAmqpConnection connection, string queue)
    {
        _connection = connection;
        _queue = queue;
    }

    public static async Task<Bystander> OpenAsync(BrokerFixture fixture)
    {
        var connection = await RawAmqpConnection.OpenWithChannelAsync(fixture, Channel);
        try
        {
            var (queue, _, _) = await connection.DeclareQueueAsync(Channel, string.Empty, exclusive: true);
            Assert.StartsWith("amq.gen-", queue, StringComparison.Ordinal);
            var bystander = new Bystander(connection, queue);
            await bystander.AssertRoundTripAsync();
            return bystander;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Publishes a message to the bystander's queue and gets it back.</summary>
    public async Task AssertRoundTripAsync()
    {
        var body = Encoding.UTF8.GetBytes($"bystander round {++_round}");
        await _connection.SendAsync(Frames.Publish(Channel, string.Empty, _queue, body));
        var got = await _connection.GetAsync(Channel, _queue);
        Assert.NotNull(got);
        Assert.Equal(body, got);
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.TrySendAsync(Frames.ConnectionClose());
        await _connection.DisposeAsync();
    }
}
