using System.Text;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Integration.Topology;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.Policies;

/// <summary>
/// Policies take effect on queues that already exist, as on RabbitMQ 3.10.8: max-length, message-ttl and
/// dead-letter-exchange set by a policy after the queue was declared change what the queue does with its messages.
/// </summary>
public sealed class QueuePolicyTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task A_max_length_policy_limits_an_existing_queue()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync("maxlen");
        await PublishAsync(t.Channel, queue, "m1", "m2", "m3", "m4", "m5");
        var policy = BrokerFixture.UniqueName("maxlen");
        try
        {
            await PolicyAdmin.SetAsync(fixture, policy, $"^{queue}$", "queues", """{"max-length":3}""");
            await PublishAsync(t.Channel, queue, "m6");

            Assert.Equal(["m4", "m5", "m6"], await DrainAsync(t.Channel, queue));
        }
        finally
        {
            await PolicyAdmin.ClearAsync(fixture, policy);
        }
    }

    [Fact]
    public async Task A_message_ttl_policy_expires_messages_of_an_existing_queue_and_clearing_it_ends_that()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync("ttl");
        var policy = BrokerFixture.UniqueName("ttl");
        try
        {
            await PolicyAdmin.SetAsync(fixture, policy, $"^{queue}$", "queues", """{"message-ttl":50}""");
            await PublishAsync(t.Channel, queue, "short-lived");
            await Task.Delay(400);
            Assert.Null(await t.Channel.BasicGetAsync(queue, autoAck: true));

            await PolicyAdmin.ClearAsync(fixture, policy);
            await PublishAsync(t.Channel, queue, "kept");
            await Task.Delay(400);
            Assert.Equal(["kept"], await DrainAsync(t.Channel, queue));
        }
        finally
        {
            await PolicyAdmin.ClearAsync(fixture, policy);
        }
    }

    [Fact]
    public async Task A_dead_letter_exchange_policy_dead_letters_rejected_messages_of_an_existing_queue()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync("work");
        var dlx = await t.ExchangeAsync(ExchangeType.Fanout, "dlx");
        var dead = await t.QueueAsync("dead");
        await t.Channel.QueueBindAsync(dead, dlx, string.Empty);
        var policy = BrokerFixture.UniqueName("dlx");
        try
        {
            await PolicyAdmin.SetAsync(fixture, policy, $"^{queue}$", "queues", $"{{\"dead-letter-exchange\":\"{dlx}\"}}");
            await PublishAsync(t.Channel, queue, "poison");
            var delivery = await GetAsync(t.Channel, queue);
            await t.Channel.BasicRejectAsync(delivery.DeliveryTag, requeue: false);

            var deadLettered = await GetAsync(t.Channel, dead);
            Assert.Equal("poison", Encoding.UTF8.GetString(deadLettered.Body.Span));
            var death = Assert.IsAssignableFrom<IList<object>>(deadLettered.BasicProperties.Headers!["x-death"]);
            var first = Assert.IsAssignableFrom<IDictionary<string, object?>>(death[0]);
            Assert.Equal("rejected", Encoding.UTF8.GetString((byte[])first["reason"]!));
            Assert.Equal(queue, Encoding.UTF8.GetString((byte[])first["queue"]!));
        }
        finally
        {
            await PolicyAdmin.ClearAsync(fixture, policy);
        }
    }

    private static async Task PublishAsync(IChannel channel, string queue, params string[] bodies)
    {
        foreach (var body in bodies)
        {
            await channel.BasicPublishAsync(string.Empty, queue, Encoding.UTF8.GetBytes(body));
        }

        // A round trip, so the publishes are in the queue before the test goes on.
        await channel.QueueDeclarePassiveAsync(queue);
    }

    private static async Task<BasicGetResult> GetAsync(IChannel channel, string queue)
    {
        var deadline = DateTime.UtcNow + TopologyAssert.WaitLimit;
        while (true)
        {
            if (await channel.BasicGetAsync(queue, autoAck: false) is { } result)
            {
                return result;
            }

            Assert.True(DateTime.UtcNow < deadline, $"nothing in {queue}");
            await Task.Delay(20);
        }
    }

    private static async Task<List<string>> DrainAsync(IChannel channel, string queue)
    {
        var bodies = new List<string>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } result)
        {
            bodies.Add(Encoding.UTF8.GetString(result.Body.Span));
        }

        return bodies;
    }
}
