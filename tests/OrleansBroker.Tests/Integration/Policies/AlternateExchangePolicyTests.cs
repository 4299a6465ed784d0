using System.Text;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Integration.Topology;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.Policies;

/// <summary>
/// The alternate-exchange policy key on existing exchanges, as RabbitMQ 3.10.8 applies it: unroutable messages go to the
/// policy's exchange from the moment the policy is set until it is cleared; the exchange's own argument wins.
/// </summary>
public sealed class AlternateExchangePolicyTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task A_policy_gives_an_existing_exchange_its_alternate_exchange_until_cleared()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Direct, "ae-src");
        var (alternate, caught) = await AlternateAsync(t);
        var policy = BrokerFixture.UniqueName("ae-policy");
        try
        {
            await PolicyAdmin.SetAsync(fixture, policy, $"^{exchange}$", "exchanges", $"{{\"alternate-exchange\":\"{alternate}\"}}");
            await t.Channel.BasicPublishAsync(exchange, "nowhere", Encoding.UTF8.GetBytes("unroutable"));
            Assert.Equal("unroutable", await NextAsync(t.Channel, caught));

            await PolicyAdmin.ClearAsync(fixture, policy);
            await t.Channel.BasicPublishAsync(exchange, "nowhere", Encoding.UTF8.GetBytes("dropped"));
            await t.Channel.BasicPublishAsync(alternate, string.Empty, Encoding.UTF8.GetBytes("marker"));
            Assert.Equal("marker", await NextAsync(t.Channel, caught));
        }
        finally
        {
            await PolicyAdmin.ClearAsync(fixture, policy);
        }
    }

    [Fact]
    public async Task The_exchange_s_own_alternate_exchange_argument_wins_over_the_policy()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var (own, ownCaught) = await AlternateAsync(t);
        var (fromPolicy, policyCaught) = await AlternateAsync(t);
        var exchange = t.ExchangeName("ae-src");
        await t.Channel.ExchangeDeclareAsync(exchange, ExchangeType.Direct, durable: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["alternate-exchange"] = own });
        var policy = BrokerFixture.UniqueName("ae-policy");
        try
        {
            await PolicyAdmin.SetAsync(fixture, policy, $"^{exchange}$", "all", $"{{\"alternate-exchange\":\"{fromPolicy}\"}}");
            await t.Channel.BasicPublishAsync(exchange, "nowhere", Encoding.UTF8.GetBytes("m"));
            Assert.Equal("m", await NextAsync(t.Channel, ownCaught));
            Assert.Null(await t.Channel.BasicGetAsync(policyCaught, autoAck: true));
        }
        finally
        {
            await PolicyAdmin.ClearAsync(fixture, policy);
        }
    }

    [Fact]
    public async Task A_policy_applies_to_an_exchange_declared_after_it()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var (alternate, caught) = await AlternateAsync(t);
        var exchange = t.ExchangeName("ae-late");
        var policy = BrokerFixture.UniqueName("ae-policy");
        try
        {
            await PolicyAdmin.SetAsync(fixture, policy, $"^{exchange}$", "exchanges", $"{{\"alternate-exchange\":\"{alternate}\"}}");
            await t.Channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: false, autoDelete: false);
            await t.Channel.BasicPublishAsync(exchange, "a.b", Encoding.UTF8.GetBytes("late"));
            Assert.Equal("late", await NextAsync(t.Channel, caught));
        }
        finally
        {
            await PolicyAdmin.ClearAsync(fixture, policy);
        }
    }

    /// <summary>A fanout exchange bound to a queue: what reaches it lands in the queue.</summary>
    private static async Task<(string Exchange, string Queue)> AlternateAsync(TopologyScope t)
    {
        var exchange = await t.ExchangeAsync(ExchangeType.Fanout, "ae");
        var queue = await t.QueueAsync("ae-caught");
        await t.Channel.QueueBindAsync(queue, exchange, string.Empty);
        return (exchange, queue);
    }

    private static async Task<string> NextAsync(IChannel channel, string queue)
    {
        var deadline = DateTime.UtcNow + TopologyAssert.WaitLimit;
        while (true)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true) is { } result)
            {
                return Encoding.UTF8.GetString(result.Body.Span);
            }

            Assert.True(DateTime.UtcNow < deadline, $"nothing in {queue}");
            await Task.Delay(20);
        }
    }
}
