using System.Text;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Integration.Messaging;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.QueueFeatures;

/// <summary>
/// Plumbing for the queue-feature tests (TTL, limits, dead-lettering, priorities): arguments, publishing with
/// properties, draining a queue with basic.get, waiting for a dead-lettered message, reading x-death. Written to pass
/// against RabbitMQ 3.10 too (ORLEANSBROKER_TEST_AMQP_URI).
/// </summary>
public abstract class QueueFeatureTestBase(BrokerFixture fixture) : MessagingTestBase(fixture)
{
    protected static Dictionary<string, object?> Args(params (string Key, object? Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    protected static Task PublishAsync(IChannel ch, string queue, string text, BasicProperties? properties = null, string exchange = "") =>
        ch.BasicPublishAsync(exchange, queue, mandatory: false, properties ?? new BasicProperties(), Utf8(text)).AsTask();

    /// <summary>Takes every ready message with basic.get (auto-ack) and returns their bodies in order.</summary>
    protected static async Task<List<string>> DrainAsync(IChannel ch, string queue)
    {
        var bodies = new List<string>();
        while (await ch.BasicGetAsync(queue, autoAck: true) is { } result)
        {
            bodies.Add(Encoding.UTF8.GetString(result.Body.Span));
        }

        return bodies;
    }

    /// <summary>Polls basic.get until a message arrives (dead-lettering and expiry happen in the background).</summary>
    protected static async Task<BasicGetResult> WaitForMessageAsync(IChannel ch, string queue)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            if (await ch.BasicGetAsync(queue, autoAck: true) is { } result)
            {
                return result;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no message reached {queue}");
            await Task.Delay(20);
        }
    }

    protected static string Text(BasicGetResult result) => Encoding.UTF8.GetString(result.Body.Span);

    protected static string? HeaderText(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers is { } headers && headers.TryGetValue(name, out var value) ? AsText(value) : null;

    /// <summary>The x-death entries of a message, newest first.</summary>
    protected static List<IDictionary<string, object?>> Deaths(IReadOnlyBasicProperties properties)
    {
        Assert.NotNull(properties.Headers);
        Assert.True(properties.Headers!.TryGetValue("x-death", out var deaths), "no x-death header");
        return ((IEnumerable<object?>)deaths!).Cast<IDictionary<string, object?>>().ToList();
    }

    protected static string? AsText(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        null => null,
        _ => value.ToString(),
    };

    /// <summary>An exchange for the test (fanout unless told), deleted with the connection's last channel when the test ends.</summary>
    protected static async Task<string> DeclareExchangeAsync(IChannel ch, string type = "fanout")
    {
        var name = BrokerFixture.UniqueName("dlx");
        await ch.ExchangeDeclareAsync(name, type, durable: false, autoDelete: true);
        return name;
    }
}
