using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>Headers exchange: x-match all / any, x- prefixed keys, value types and presence-only matches.</summary>
public sealed class HeadersRoutingTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static Dictionary<string, object?> H(params (string Key, object? Value)[] entries)
    {
        var d = new Dictionary<string, object?>();
        foreach (var (k, v) in entries)
        {
            d[k] = v;
        }

        return d;
    }

    /// <summary>Binds one queue to a fresh headers exchange, publishes each message, returns the bodies that arrived.</summary>
    private async Task<List<string>> RouteAsync(Dictionary<string, object?> bindingArgs, params (string Body, Dictionary<string, object?>? Headers)[] messages)
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Headers);
        var queue = await t.QueueAsync();
        await t.Channel.QueueBindAsync(queue, exchange, "ignored-key", bindingArgs);

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        foreach (var (body, headers) in messages)
        {
            await PublishAsync(pub, exchange, "any-key", body, headers);
        }

        return await DrainAsync(t.Channel, queue);
    }

    [Fact]
    public async Task All_requires_every_binding_header_with_equal_value()
    {
        var got = await RouteAsync(
            H(("x-match", "all"), ("format", "pdf"), ("type", "report")),
            ("both", H(("format", "pdf"), ("type", "report"))),
            ("both-and-extra", H(("format", "pdf"), ("type", "report"), ("size", 10))),
            ("one", H(("format", "pdf"))),
            ("wrong-value", H(("format", "pdf"), ("type", "log"))),
            ("none", null));

        Assert.Equal(["both", "both-and-extra"], got);
    }

    [Fact]
    public async Task Any_requires_at_least_one_equal_header()
    {
        var got = await RouteAsync(
            H(("x-match", "any"), ("format", "pdf"), ("type", "report")),
            ("both", H(("format", "pdf"), ("type", "report"))),
            ("format-only", H(("format", "pdf"))),
            ("type-only", H(("type", "report"), ("other", 1))),
            ("wrong-values", H(("format", "zip"), ("type", "log"))),
            ("unrelated", H(("other", "pdf"))),
            ("none", null));

        Assert.Equal(["both", "format-only", "type-only"], got);
    }

    [Fact]
    public async Task Missing_x_match_means_all()
    {
        var got = await RouteAsync(
            H(("a", "1"), ("b", "2")),
            ("both", H(("a", "1"), ("b", "2"))),
            ("one", H(("a", "1"))));

        Assert.Equal(["both"], got);
    }

    [Fact]
    public async Task Binding_without_arguments_matches_every_message()
    {
        var got = await RouteAsync(
            [],
            ("headers", H(("a", "1"))),
            ("none", null));

        Assert.Equal(["headers", "none"], got);
    }

    [Fact]
    public async Task All_with_only_x_match_matches_every_message()
    {
        var got = await RouteAsync(
            H(("x-match", "all")),
            ("headers", H(("a", "1"))),
            ("none", null));

        Assert.Equal(["headers", "none"], got);
    }

    [Fact]
    public async Task Any_with_only_x_match_matches_nothing()
    {
        var got = await RouteAsync(
            H(("x-match", "any")),
            ("headers", H(("a", "1"))),
            ("none", null));

        Assert.Empty(got);
    }

    [Fact]
    public async Task Binding_keys_starting_with_x_are_ignored_for_all()
    {
        var got = await RouteAsync(
            H(("x-match", "all"), ("x-tenant", "blue"), ("kind", "k")),
            ("kind-only", H(("kind", "k"))),
            ("kind-and-x", H(("kind", "k"), ("x-tenant", "red"))),
            ("x-only", H(("x-tenant", "blue"))));

        Assert.Equal(["kind-only", "kind-and-x"], got);
    }

    [Fact]
    public async Task Binding_keys_starting_with_x_are_ignored_for_any()
    {
        var got = await RouteAsync(
            H(("x-match", "any"), ("x-tenant", "blue"), ("kind", "k")),
            ("x-equal", H(("x-tenant", "blue"))),
            ("kind", H(("kind", "k"))));

        Assert.Equal(["kind"], got);
    }

    [Fact]
    public async Task Any_with_x_also_matches_x_prefixed_keys()
    {
        var got = await RouteAsync(
            H(("x-match", "any-with-x"), ("x-tenant", "blue")),
            ("x-equal", H(("x-tenant", "blue"))),
            ("x-different", H(("x-tenant", "red"))));

        Assert.Equal(["x-equal"], got);
    }

    [Fact]
    public async Task All_with_x_requires_x_prefixed_keys_too()
    {
        var got = await RouteAsync(
            H(("x-match", "all-with-x"), ("x-tenant", "blue"), ("kind", "k")),
            ("both", H(("x-tenant", "blue"), ("kind", "k"))),
            ("kind-only", H(("kind", "k"))));

        Assert.Equal(["both"], got);
    }

    [Fact]
    public async Task Integer_values_match_across_integer_widths()
    {
        var got = await RouteAsync(
            H(("x-match", "all"), ("n", 42)),
            ("int", H(("n", 42))),
            ("long", H(("n", 42L))),
            ("other-number", H(("n", 43))),
            ("string", H(("n", "42"))));

        Assert.Equal(["int", "long"], got);
    }

    [Fact]
    public async Task Boolean_values_match()
    {
        var got = await RouteAsync(
            H(("x-match", "all"), ("flag", true)),
            ("true", H(("flag", true))),
            ("false", H(("flag", false))));

        Assert.Equal(["true"], got);
    }

    [Fact]
    public async Task Void_binding_value_matches_on_presence_alone()
    {
        var got = await RouteAsync(
            H(("x-match", "all"), ("present", null)),
            ("string", H(("present", "anything"))),
            ("number", H(("present", 7))),
            ("absent", H(("other", "x"))));

        Assert.Equal(["string", "number"], got);
    }

    [Fact]
    public async Task Header_names_are_case_sensitive()
    {
        var got = await RouteAsync(
            H(("x-match", "any"), ("Key", "v")),
            ("lower", H(("key", "v"))),
            ("exact", H(("Key", "v"))));

        Assert.Equal(["exact"], got);
    }

    [Fact]
    public async Task Two_matching_bindings_to_one_queue_deliver_once_and_queues_get_their_own_copies()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Headers);
        var q1 = await t.QueueAsync("q1");
        var q2 = await t.QueueAsync("q2");
        await t.Channel.QueueBindAsync(q1, exchange, string.Empty, H(("x-match", "any"), ("a", "1")));
        await t.Channel.QueueBindAsync(q1, exchange, string.Empty, H(("x-match", "any"), ("b", "2")));
        await t.Channel.QueueBindAsync(q2, exchange, string.Empty, H(("x-match", "all"), ("a", "1"), ("b", "2")));

        await using var pub = await ConfirmingChannelAsync(t.Connection);
        await PublishAsync(pub, exchange, string.Empty, "ab", H(("a", "1"), ("b", "2")));
        await PublishAsync(pub, exchange, string.Empty, "a", H(("a", "1")));

        Assert.Equal(["ab", "a"], await DrainAsync(t.Channel, q1));
        Assert.Equal(["ab"], await DrainAsync(t.Channel, q2));
    }

    [Fact]
    public async Task Predeclared_amq_match_is_a_headers_exchange()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var queue = await t.QueueAsync();
        var bindingArgs = H(("x-match", "all"), ("target", queue));
        await t.Channel.QueueBindAsync(queue, "amq.match", string.Empty, bindingArgs);
        try
        {
            await using var pub = await ConfirmingChannelAsync(t.Connection);
            await PublishAsync(pub, "amq.match", "k", "hit", H(("target", queue)));
            await PublishAsync(pub, "amq.match", "k", "miss", H(("target", "someone-else")));

            Assert.Equal(["hit"], await DrainAsync(t.Channel, queue));
        }
        finally
        {
            await t.Channel.QueueUnbindAsync(queue, "amq.match", string.Empty, bindingArgs);
        }
    }

    [Fact]
    public async Task Invalid_x_match_value_is_rejected_at_bind_with_406()
    {
        await using var t = await TopologyScope.StartAsync(fixture);
        var exchange = await t.ExchangeAsync(ExchangeType.Headers);
        var queue = await t.QueueAsync();

        await ClosedWithAsync(
            () => t.Channel.QueueBindAsync(queue, exchange, string.Empty, H(("x-match", "some"), ("a", "1"))),
            Amqp.PreconditionFailed,
            "PRECONDITION_FAILED - Invalid x-match field value <<\"some\">>; expected all, any, all-with-x, or any-with-x",
            Amqp.QueueClass, Amqp.QueueBind);
    }
}
