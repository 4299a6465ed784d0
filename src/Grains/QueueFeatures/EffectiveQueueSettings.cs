using OrleansBroker.Amqp;
using OrleansBroker.Grains.Policies;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// What a queue does, from its x-arguments and the policy and operator policy in force on it, with RabbitMQ 3.10's
/// precedence (rabbit_amqqueue_process:process_args_policy for classic queues, rabbit_quorum_queue:ra_machine_config
/// for quorum queues). Policy values are first merged with the operator policy's (smaller limit wins, see
/// <see cref="AppliedPolicies"/>), then against the argument:
/// <list type="bullet">
/// <item>message-ttl, max-length, max-length-bytes (and, quorum, delivery-limit, max-in-memory-*): the smaller.</item>
/// <item>expires: the smaller on classic queues; on quorum queues the policy's, even when the argument is smaller.</item>
/// <item>overflow: the argument on classic queues; on quorum queues the policy's.</item>
/// <item>dead-letter-exchange, -routing-key, -strategy, queue-mode, queue-version: the argument.</item>
/// <item>x-max-priority and x-single-active-consumer: arguments only.</item>
/// </list>
/// Quorum queues in 3.10 treat reject-publish-dlx as drop-head and use at-least-once dead-lettering only with
/// overflow reject-publish and a dead-letter exchange. (Observed on the reference broker: classic x-max-length 5 with
/// policy max-length 2 keeps 2; quorum x-expires 1.5 s with policy expires 600 s stays; quorum x-overflow
/// reject-publish with policy drop-head drops; classic x-dead-letter-exchange beats the policy's.)
/// Null means not set: no TTL, no expiry, no limit, no dead-lettering.
/// </summary>
public sealed record EffectiveQueueSettings
{
    public QueueType QueueType { get; init; }

    /// <summary>Message lifetime in milliseconds.</summary>
    public long? MessageTtl { get; init; }

    /// <summary>Milliseconds unused before the queue is deleted.</summary>
    public long? Expires { get; init; }

    public long? MaxLength { get; init; }

    public long? MaxLengthBytes { get; init; }

    public QueueOverflow Overflow { get; init; } = QueueOverflow.DropHead;

    /// <summary>The exchange dead-lettered messages go to ("" is the default exchange); null: they are dropped.</summary>
    public string? DeadLetterExchange { get; init; }

    /// <summary>Routing key for dead-lettered messages; null: their own routing keys. Only used with a dead-letter exchange.</summary>
    public string? DeadLetterRoutingKey { get; init; }

    /// <summary>Quorum queues: how dead-lettering is done, after RabbitMQ's fallbacks (at-least-once needs reject-publish).</summary>
    public DeadLetterStrategy DeadLetterStrategy { get; init; } = DeadLetterStrategy.AtMostOnce;

    /// <summary>Quorum queues: a message returned more than this many times is dead-lettered (reason delivery_limit).</summary>
    public long? DeliveryLimit { get; init; }

    /// <summary>Quorum queues: RabbitMQ's in-memory caps; kept for listings, no effect here.</summary>
    public long? MaxInMemoryLength { get; init; }

    public long? MaxInMemoryBytes { get; init; }

    /// <summary>Classic queues: default or lazy (reported; one storage strategy here).</summary>
    public QueueMode QueueMode { get; init; } = QueueMode.Default;

    /// <summary>Classic queues: RabbitMQ's storage version when set (1 or 2); reported only.</summary>
    public int? QueueVersion { get; init; }

    /// <summary>Classic queues: the highest message priority (x-max-priority, at most 255); null: not a priority queue.</summary>
    public byte? MaxPriority { get; init; }

    public bool SingleActiveConsumer { get; init; }

    /// <summary>The name of the policy in force ("policy" in listings), null for none.</summary>
    public string? PolicyName { get; init; }

    public string? OperatorPolicyName { get; init; }

    /// <summary>"effective_policy_definition" in the management API; null when no policy applies.</summary>
    public PolicyDefinition? EffectivePolicyDefinition { get; init; }

    /// <summary>The settings of a queue with <paramref name="arguments"/> (already validated at declare) under <paramref name="policies"/>.</summary>
    public static EffectiveQueueSettings Resolve(FieldTable arguments, AppliedPolicies policies)
    {
        var type = QueueTypeNames.FromArguments(arguments);
        var common = new EffectiveQueueSettings
        {
            QueueType = type,
            MessageTtl = Smaller(arguments, "message-ttl", policies),
            MaxLength = Smaller(arguments, "max-length", policies),
            MaxLengthBytes = Smaller(arguments, "max-length-bytes", policies),
            DeadLetterExchange = ArgumentFirst(arguments, "dead-letter-exchange", policies),
            DeadLetterRoutingKey = ArgumentFirst(arguments, "dead-letter-routing-key", policies),
            SingleActiveConsumer = arguments.TryGetValue("x-single-active-consumer", out var single) && single is true,
            PolicyName = policies.Policy?.Name,
            OperatorPolicyName = policies.OperatorPolicy?.Name,
            EffectivePolicyDefinition = policies.EffectiveDefinition,
        };

        return type == QueueType.Quorum ? ResolveQuorum(common, arguments, policies) : ResolveClassic(common, arguments, policies);
    }

    public static EffectiveQueueSettings Resolve(FieldTable arguments, Policy? policy, Policy? operatorPolicy) =>
        Resolve(arguments, new AppliedPolicies(policy, operatorPolicy));

    /// <summary>
    /// The priority a message is queued at in a priority queue: its priority property capped at
    /// <see cref="MaxPriority"/>, 0 when it has none (rabbit_priority_queue); always 0 in other queues.
    /// </summary>
    public byte EffectivePriority(byte? messagePriority) =>
        MaxPriority is not { } max ? (byte)0 : Math.Min(messagePriority ?? 0, max);

    private static EffectiveQueueSettings ResolveClassic(EffectiveQueueSettings common, FieldTable arguments, AppliedPolicies policies)
    {
        byte? maxPriority = arguments.TryGetInt64("x-max-priority", out var priority) ? (byte)Math.Clamp(priority, 0, QueueArgumentValidation.MaxPriority) : null;
        var overflowText = ArgumentFirst(arguments, "overflow", policies);
        var modeText = ArgumentFirst(arguments, "queue-mode", policies);
        long? version = arguments.TryGetInt64("x-queue-version", out var argumentVersion) ? argumentVersion : PolicyInteger(policies, "queue-version");
        return common with
        {
            Expires = Smaller(arguments, "expires", policies),
            Overflow = QueueSettingValues.TryParseOverflow(overflowText, out var overflow) ? overflow : QueueOverflow.DropHead,
            QueueMode = QueueSettingValues.TryParseQueueMode(modeText, out var mode) ? mode : QueueMode.Default,
            QueueVersion = version is { } v ? (int)v : null,
            MaxPriority = maxPriority,
        };
    }

    private static EffectiveQueueSettings ResolveQuorum(EffectiveQueueSettings common, FieldTable arguments, AppliedPolicies policies)
    {
        var overflow = QueueSettingValues.TryParseOverflow(PolicyFirst(arguments, "overflow", policies), out var parsed) ? parsed : QueueOverflow.DropHead;

        // rabbit_quorum_queue:overflow/3: reject-publish-dlx is not a quorum strategy; it falls back to the default.
        if (overflow == QueueOverflow.RejectPublishDlx)
        {
            overflow = QueueOverflow.DropHead;
        }

        var strategyText = ArgumentFirst(arguments, "dead-letter-strategy", policies);
        var atLeastOnce = common.DeadLetterExchange is not null && overflow == QueueOverflow.RejectPublish
            && QueueSettingValues.TryParseDeadLetterStrategy(strategyText, out var strategy) && strategy == DeadLetterStrategy.AtLeastOnce;
        long? expires = PolicyInteger(policies, "expires") ?? (arguments.TryGetInt64("x-expires", out var argumentExpires) ? argumentExpires : null);
        return common with
        {
            Expires = expires,
            Overflow = overflow,
            DeadLetterStrategy = atLeastOnce ? DeadLetterStrategy.AtLeastOnce : DeadLetterStrategy.AtMostOnce,
            DeliveryLimit = Smaller(arguments, "delivery-limit", policies),
            MaxInMemoryLength = Smaller(arguments, "max-in-memory-length", policies),
            MaxInMemoryBytes = Smaller(arguments, "max-in-memory-bytes", policies),
        };
    }

    // Arguments of a non-integer type count as absent: RabbitMQ validates all but x-delivery-limit at declare, and an
    // Erlang binary compares greater than any number, so min(policy, <<"x">>) is the policy's and <<"x">> alone never limits.
    private static long? Smaller(FieldTable arguments, string key, AppliedPolicies policies)
    {
        long? argument = arguments.TryGetInt64("x-" + key, out var value) ? value : null;
        var policy = PolicyInteger(policies, key);
        return (argument, policy) switch
        {
            ({ } a, { } p) => Math.Min(a, p),
            ({ } a, null) => a,
            (null, var p) => p,
        };
    }

    private static string? ArgumentFirst(FieldTable arguments, string key, AppliedPolicies policies) =>
        arguments.GetString("x-" + key) ?? (policies.Get(key) as PolicyValue.Text)?.Value;

    private static string? PolicyFirst(FieldTable arguments, string key, AppliedPolicies policies) =>
        (policies.Get(key) as PolicyValue.Text)?.Value ?? arguments.GetString("x-" + key);

    private static long? PolicyInteger(AppliedPolicies policies, string key) => (policies.Get(key) as PolicyValue.Integer)?.Value;
}
