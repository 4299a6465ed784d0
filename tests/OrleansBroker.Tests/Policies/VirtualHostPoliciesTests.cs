using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.Policies;

public sealed class VirtualHostPoliciesTests
{
    /// <summary>
    /// Observed on the reference broker (rabbit_policy:name/effective_definition read with rabbitmqctl eval): policy "hi"
    /// (priority 10, max-length 1, delivery-limit 5), "lo" (priority 0, max-length 7, message-ttl 100) and operator
    /// policy "op1" (max-length 3, message-ttl 1000, expires 50000), all matching classic queue cq, quorum queue qq and
    /// exchange ex: cq got "lo" (delivery-limit makes "hi" inapplicable to classic queues), qq and ex got "hi".
    /// </summary>
    [Fact]
    public void A_policy_with_a_key_the_queue_type_does_not_support_does_not_apply_to_it()
    {
        var policies = new VirtualHostPolicies(
            [Policy("hi", "^(cq|qq|ex)$", 10, ("max-length", 1), ("delivery-limit", 5)), Policy("lo", "^(cq|qq|ex)$", 0, ("max-length", 7), ("message-ttl", 100))],
            [Policy("op1", "^(cq|qq|ex)$", 0, ("max-length", 3), ("message-ttl", 1000), ("expires", 50000))]);

        var classic = policies.ForQueue("cq", QueueType.Classic);
        var quorum = policies.ForQueue("qq", QueueType.Quorum);
        var exchange = policies.ForExchange("ex");

        Assert.Equal(("lo", "op1"), (classic.Policy?.Name, classic.OperatorPolicy?.Name));
        Assert.Equal(Definition(("expires", 50000), ("max-length", 3), ("message-ttl", 100)), classic.EffectiveDefinition);
        Assert.Equal(("hi", "op1"), (quorum.Policy?.Name, quorum.OperatorPolicy?.Name));
        Assert.Equal(Definition(("delivery-limit", 5), ("expires", 50000), ("max-length", 1), ("message-ttl", 1000)), quorum.EffectiveDefinition);
        Assert.Equal(("hi", "op1"), (exchange.Policy?.Name, exchange.OperatorPolicy?.Name));
    }

    [Fact]
    public void Quorum_queues_skip_policies_with_classic_only_keys()
    {
        var policies = new VirtualHostPolicies([Policy("lazy", ".*", 5, ("queue-mode", "lazy")), Policy("ttl", ".*", 0, ("message-ttl", 1))], []);

        Assert.Equal("ttl", policies.ForQueue("q", QueueType.Quorum).Policy?.Name);
        Assert.Equal("lazy", policies.ForQueue("q", QueueType.Classic).Policy?.Name);
    }

    [Fact]
    public void Apply_to_decides_whether_queues_or_exchanges_match()
    {
        var policies = new VirtualHostPolicies(
            [Policy("queues-only", ".*", 1, PolicyApplyTo.Queues), Policy("exchanges-only", ".*", 1, PolicyApplyTo.Exchanges), Policy("both", ".*", 0, PolicyApplyTo.All)],
            []);

        Assert.Equal("queues-only", policies.ForQueue("x", QueueType.Classic).Policy?.Name);
        Assert.Equal("exchanges-only", policies.ForExchange("x").Policy?.Name);
        Assert.Equal(["queues-only", "both"], policies.AllMatchingQueue(PolicyKind.Policy, "x", QueueType.Classic).Select(p => p.Name));
        Assert.Equal(["exchanges-only", "both"], policies.AllMatchingExchange(PolicyKind.Policy, "x").Select(p => p.Name));
    }

    [Fact]
    public void The_highest_priority_wins_whatever_the_order_given()
    {
        var low = Policy("low", "^orders", 1);
        var high = Policy("high", "^orders\\.", 7);
        var negative = Policy("negative", ".*", -2);

        Assert.Equal("high", new VirtualHostPolicies([low, negative, high], []).ForQueue("orders.new", QueueType.Classic).Policy?.Name);
        Assert.Equal("low", new VirtualHostPolicies([high, low, negative], []).ForQueue("orders", QueueType.Classic).Policy?.Name);
        Assert.Equal("negative", new VirtualHostPolicies([high, low, negative], []).ForQueue("payments", QueueType.Classic).Policy?.Name);
    }

    /// <summary>
    /// RabbitMQ's pick among equal priorities follows its table's hash order (observed: of "a" and "b" it applied "b",
    /// of "a" and "c" "a"); here the name sorting first wins, so every node agrees.
    /// </summary>
    [Fact]
    public void Among_equal_priorities_the_first_name_wins()
    {
        var policies = new VirtualHostPolicies([Policy("b", ".*", 0), Policy("a", ".*", 0), Policy("c", ".*", 0)], []);

        Assert.Equal("a", policies.ForQueue("q", QueueType.Classic).Policy?.Name);
    }

    [Fact]
    public void Nothing_matches_in_an_empty_virtual_host()
    {
        Assert.Null(VirtualHostPolicies.Empty.ForQueue("q", QueueType.Classic).Policy);
        Assert.Null(VirtualHostPolicies.Empty.ForExchange("x").EffectiveDefinition);
    }

    private static Policy Policy(string name, string pattern, int priority, params (string Key, object Value)[] definition) =>
        Policy(name, pattern, priority, PolicyApplyTo.All, definition);

    private static Policy Policy(string name, string pattern, int priority, PolicyApplyTo applyTo, params (string Key, object Value)[] definition) =>
        new("/", name, pattern, applyTo, priority, definition.Length == 0 ? Definition(("max-length", 1)) : Definition(definition));

    internal static PolicyDefinition Definition(params (string Key, object Value)[] entries) =>
        new(entries.Select(e => new KeyValuePair<string, PolicyValue>(e.Key, e.Value switch
        {
            int i => new PolicyValue.Integer(i),
            string s => new PolicyValue.Text(s),
            bool b => new PolicyValue.Bool(b),
            _ => throw new ArgumentException("unexpected value"),
        })));
}
