using OrleansBroker.Amqp;
using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.QueueFeatures;

public sealed class EffectiveQueueSettingsTests
{
    private static readonly FieldTable Quorum = Table(("x-queue-type", "quorum"));

    [Fact]
    public void Without_arguments_or_policies_nothing_is_set()
    {
        var settings = EffectiveQueueSettings.Resolve(FieldTable.Empty, AppliedPolicies.None);

        Assert.Equal(QueueType.Classic, settings.QueueType);
        Assert.Null(settings.MessageTtl);
        Assert.Null(settings.Expires);
        Assert.Null(settings.MaxLength);
        Assert.Null(settings.MaxLengthBytes);
        Assert.Equal(QueueOverflow.DropHead, settings.Overflow);
        Assert.Null(settings.DeadLetterExchange);
        Assert.Null(settings.DeadLetterRoutingKey);
        Assert.Null(settings.DeliveryLimit);
        Assert.Equal(QueueMode.Default, settings.QueueMode);
        Assert.Null(settings.MaxPriority);
        Assert.False(settings.SingleActiveConsumer);
        Assert.Null(settings.PolicyName);
        Assert.Null(settings.EffectivePolicyDefinition);
    }

    [Fact]
    public void Arguments_alone_are_taken_as_they_are()
    {
        var settings = EffectiveQueueSettings.Resolve(
            Table(
                ("x-message-ttl", 1000), ("x-expires", 60000L), ("x-max-length", (short)5), ("x-max-length-bytes", 1024u),
                ("x-overflow", "reject-publish"), ("x-dead-letter-exchange", "dlx"), ("x-dead-letter-routing-key", "rk"),
                ("x-queue-mode", "lazy"), ("x-queue-version", 2), ("x-max-priority", (byte)10), ("x-single-active-consumer", true)),
            AppliedPolicies.None);

        Assert.Equal(1000, settings.MessageTtl);
        Assert.Equal(60000, settings.Expires);
        Assert.Equal(5, settings.MaxLength);
        Assert.Equal(1024, settings.MaxLengthBytes);
        Assert.Equal(QueueOverflow.RejectPublish, settings.Overflow);
        Assert.Equal("dlx", settings.DeadLetterExchange);
        Assert.Equal("rk", settings.DeadLetterRoutingKey);
        Assert.Equal(QueueMode.Lazy, settings.QueueMode);
        Assert.Equal(2, settings.QueueVersion);
        Assert.Equal((byte)10, settings.MaxPriority);
        Assert.True(settings.SingleActiveConsumer);
    }

    /// <summary>Observed: classic x-max-length 5 with policy max-length 2 keeps 2 of 5 messages; x-max-length 2 with policy 5 keeps 2.</summary>
    [Theory]
    [InlineData(5, 2, 2)]
    [InlineData(2, 5, 2)]
    public void Classic_max_length_is_the_smaller_of_argument_and_policy(int argument, int policy, long expected)
    {
        var settings = Resolve(Table(("x-max-length", argument)), Definition(("max-length", policy)));

        Assert.Equal(expected, settings.MaxLength);
    }

    /// <summary>Observed: classic x-message-ttl 60000 with policy message-ttl 100: the message is gone after 1 s; the same on quorum.</summary>
    [Fact]
    public void Message_ttl_is_the_smaller_on_both_types()
    {
        Assert.Equal(100, Resolve(Table(("x-message-ttl", 60000)), Definition(("message-ttl", 100))).MessageTtl);
        Assert.Equal(100, Resolve(Table(("x-queue-type", "quorum"), ("x-message-ttl", 60000)), Definition(("message-ttl", 100))).MessageTtl);
    }

    /// <summary>Observed: classic x-expires 1500 with policy expires 600000 is deleted within 4 s.</summary>
    [Fact]
    public void Classic_expires_is_the_smaller()
    {
        Assert.Equal(1500, Resolve(Table(("x-expires", 1500)), Definition(("expires", 600000))).Expires);
    }

    /// <summary>
    /// Observed: quorum x-expires 1500 with policy expires 600000 still exists after 14 s (a quorum queue with x-expires
    /// 1500 alone is gone by then); quorum x-expires 600000 with policy 1500 is gone.
    /// </summary>
    [Theory]
    [InlineData(1500, 600000, 600000)]
    [InlineData(600000, 1500, 1500)]
    public void Quorum_expires_is_the_policy_s(int argument, int policy, long expected)
    {
        Assert.Equal(expected, Resolve(Table(("x-queue-type", "quorum"), ("x-expires", argument)), Definition(("expires", policy))).Expires);
    }

    /// <summary>Observed: classic x-overflow reject-publish with policy overflow drop-head nacks the second and third publish.</summary>
    [Fact]
    public void Classic_overflow_is_the_argument_s()
    {
        Assert.Equal(QueueOverflow.RejectPublish, Resolve(Table(("x-overflow", "reject-publish")), Definition(("overflow", "drop-head"))).Overflow);
        Assert.Equal(QueueOverflow.RejectPublishDlx, Resolve(FieldTable.Empty, Definition(("overflow", "reject-publish-dlx"))).Overflow);
    }

    /// <summary>
    /// Observed: quorum x-overflow reject-publish with policy drop-head acks all three publishes (drop-head); quorum
    /// x-overflow drop-head with policy reject-publish nacks the third.
    /// </summary>
    [Theory]
    [InlineData("reject-publish", "drop-head", QueueOverflow.DropHead)]
    [InlineData("drop-head", "reject-publish", QueueOverflow.RejectPublish)]
    public void Quorum_overflow_is_the_policy_s(string argument, string policy, QueueOverflow expected)
    {
        Assert.Equal(expected, Resolve(Table(("x-queue-type", "quorum"), ("x-overflow", argument)), Definition(("overflow", policy))).Overflow);
    }

    [Fact]
    public void Quorum_queues_treat_reject_publish_dlx_as_drop_head()
    {
        Assert.Equal(QueueOverflow.DropHead, EffectiveQueueSettings.Resolve(Table(("x-queue-type", "quorum"), ("x-overflow", "reject-publish-dlx")), AppliedPolicies.None).Overflow);
    }

    /// <summary>Observed: x-dead-letter-exchange dlxA with policy dead-letter-exchange dlxB sends a rejected message to dlxA, routed by the policy's key.</summary>
    [Fact]
    public void Dead_letter_exchange_and_routing_key_are_the_argument_s_each_on_its_own()
    {
        var settings = Resolve(Table(("x-dead-letter-exchange", "dlxA")), Definition(("dead-letter-exchange", "dlxB"), ("dead-letter-routing-key", "zz")));

        Assert.Equal("dlxA", settings.DeadLetterExchange);
        Assert.Equal("zz", settings.DeadLetterRoutingKey);
    }

    [Fact]
    public void Operator_policy_limits_are_merged_first_then_compared_with_the_argument()
    {
        var policy = Policy("p", Definition(("max-length", 7), ("message-ttl", 100)));
        var operatorPolicy = Policy("op", Definition(("max-length", 3), ("message-ttl", 1000), ("expires", 50000)));

        var settings = EffectiveQueueSettings.Resolve(Table(("x-max-length", 5), ("x-message-ttl", 50)), policy, operatorPolicy);

        Assert.Equal(3, settings.MaxLength);
        Assert.Equal(50, settings.MessageTtl);
        Assert.Equal(50000, settings.Expires);
        Assert.Equal("p", settings.PolicyName);
        Assert.Equal("op", settings.OperatorPolicyName);
        Assert.Equal(Definition(("expires", 50000), ("max-length", 3), ("message-ttl", 100)), settings.EffectivePolicyDefinition);
    }

    [Fact]
    public void Quorum_delivery_limit_and_in_memory_limits_are_the_smaller()
    {
        var settings = Resolve(
            Table(("x-queue-type", "quorum"), ("x-delivery-limit", 10), ("x-max-in-memory-length", 100), ("x-max-in-memory-bytes", 5)),
            Definition(("delivery-limit", 3), ("max-in-memory-length", 200), ("max-in-memory-bytes", 10)));

        Assert.Equal(3, settings.DeliveryLimit);
        Assert.Equal(100, settings.MaxInMemoryLength);
        Assert.Equal(5, settings.MaxInMemoryBytes);
    }

    /// <summary>Observed: RabbitMQ accepts x-delivery-limit "x" on a quorum queue; as an Erlang binary it never limits, and any policy value is smaller.</summary>
    [Fact]
    public void A_delivery_limit_argument_that_is_not_an_integer_does_not_limit()
    {
        Assert.Null(EffectiveQueueSettings.Resolve(Table(("x-queue-type", "quorum"), ("x-delivery-limit", "x")), AppliedPolicies.None).DeliveryLimit);
        Assert.Equal(4, Resolve(Table(("x-queue-type", "quorum"), ("x-delivery-limit", "x")), Definition(("delivery-limit", 4))).DeliveryLimit);
    }

    [Theory]
    [InlineData("at-least-once", "reject-publish", "dlx", DeadLetterStrategy.AtLeastOnce)]
    [InlineData("at-least-once", "drop-head", "dlx", DeadLetterStrategy.AtMostOnce)]
    [InlineData("at-least-once", "reject-publish", null, DeadLetterStrategy.AtMostOnce)]
    [InlineData("at-most-once", "reject-publish", "dlx", DeadLetterStrategy.AtMostOnce)]
    public void Quorum_at_least_once_needs_reject_publish_and_a_dead_letter_exchange(string strategy, string overflow, string? exchange, DeadLetterStrategy expected)
    {
        var arguments = new List<(string, object?)> { ("x-queue-type", "quorum"), ("x-dead-letter-strategy", strategy), ("x-overflow", overflow) };
        if (exchange is not null)
        {
            arguments.Add(("x-dead-letter-exchange", exchange));
        }

        Assert.Equal(expected, EffectiveQueueSettings.Resolve(Table([.. arguments]), AppliedPolicies.None).DeadLetterStrategy);
    }

    [Fact]
    public void Queue_mode_and_version_come_from_the_policy_when_no_argument_sets_them()
    {
        var settings = Resolve(FieldTable.Empty, Definition(("queue-mode", "lazy"), ("queue-version", 2)));

        Assert.Equal(QueueMode.Lazy, settings.QueueMode);
        Assert.Equal(2, settings.QueueVersion);
    }

    [Fact]
    public void Quorum_queues_ignore_classic_only_settings()
    {
        var settings = EffectiveQueueSettings.Resolve(Quorum, AppliedPolicies.None);

        Assert.Equal(QueueType.Quorum, settings.QueueType);
        Assert.Null(settings.MaxPriority);
        Assert.Null(settings.QueueVersion);
    }

    /// <summary>rabbit_priority_queue: no priority is 0, above the maximum is the maximum; other queues have one priority.</summary>
    [Theory]
    [InlineData(null, (byte)7, 0)]
    [InlineData((byte)5, null, 0)]
    [InlineData((byte)5, (byte)3, 3)]
    [InlineData((byte)5, (byte)9, 5)]
    [InlineData((byte)0, (byte)9, 0)]
    public void Message_priority_is_capped_at_the_queue_s_maximum(byte? maxPriority, byte? messagePriority, byte expected)
    {
        var arguments = maxPriority is { } max ? Table(("x-max-priority", max)) : FieldTable.Empty;

        Assert.Equal(expected, EffectiveQueueSettings.Resolve(arguments, AppliedPolicies.None).EffectivePriority(messagePriority));
    }

    private static EffectiveQueueSettings Resolve(FieldTable arguments, PolicyDefinition definition) =>
        EffectiveQueueSettings.Resolve(arguments, new AppliedPolicies(Policy("p", definition), null));

    private static Policy Policy(string name, PolicyDefinition definition) => new("/", name, ".*", PolicyApplyTo.All, 0, definition);

    private static PolicyDefinition Definition(params (string Key, object Value)[] entries) =>
        new(entries.Select(e => new KeyValuePair<string, PolicyValue>(e.Key, e.Value switch
        {
            int i => new PolicyValue.Integer(i),
            string s => new PolicyValue.Text(s),
            _ => throw new ArgumentException("unexpected value"),
        })));

    private static FieldTable Table(params (string Key, object? Value)[] entries) => new(entries.Select(e => new KeyValuePair<string, object?>(e.Key, e.Value)));
}
