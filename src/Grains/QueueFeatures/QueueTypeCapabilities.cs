namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// What each queue type accepts, as RabbitMQ 3.10's queue type modules declare it (capabilities/0 of
/// rabbit_classic_queue, rabbit_quorum_queue, rabbit_stream_queue): the queue.declare and basic.consume arguments, and
/// the policy keys that make a whole policy inapplicable to a queue of that type. Stream's lists matter even though
/// streams are refused here: an argument another type knows is refused by name ("... of queue type ..."), one no type
/// knows is ignored.
/// </summary>
public static class QueueTypeCapabilities
{
    private static readonly string[] ClassicArguments =
    [
        "x-expires", "x-message-ttl", "x-dead-letter-exchange", "x-dead-letter-routing-key", "x-max-length",
        "x-max-length-bytes", "x-max-priority", "x-overflow", "x-queue-mode", "x-queue-version",
        "x-single-active-consumer", "x-queue-type", "x-queue-master-locator",
    ];

    private static readonly string[] QuorumArguments =
    [
        "x-dead-letter-exchange", "x-dead-letter-routing-key", "x-dead-letter-strategy", "x-expires", "x-max-length",
        "x-max-length-bytes", "x-max-in-memory-length", "x-max-in-memory-bytes", "x-overflow",
        "x-single-active-consumer", "x-queue-type", "x-quorum-initial-group-size", "x-delivery-limit",
        "x-message-ttl", "x-queue-leader-locator",
    ];

    private static readonly string[] StreamArguments =
    [
        "x-max-length-bytes", "x-queue-type", "x-max-age", "x-stream-max-segment-size-bytes",
        "x-initial-cluster-size", "x-queue-leader-locator",
    ];

    private static readonly string[] ClassicConsumerArguments = ["x-cancel-on-ha-failover", "x-priority", "x-credit"];

    private static readonly string[] QuorumConsumerArguments = ["x-priority", "x-credit"];

    private static readonly string[] StreamConsumerArguments = ["x-stream-offset", "x-credit"];

    private static readonly string[] ClassicUnsupportedPolicies =
    [
        "max-age", "stream-max-segment-size-bytes", "queue-leader-locator", "initial-cluster-size",
        "delivery-limit", "dead-letter-strategy",
    ];

    private static readonly string[] QuorumUnsupportedPolicies =
    [
        "max-priority", "queue-mode", "single-active-consumer", "ha-mode", "ha-params", "ha-sync-mode",
        "ha-promote-on-shutdown", "ha-promote-on-failure", "queue-master-locator",
        "max-age", "stream-max-segment-size-bytes", "initial-cluster-size",
    ];

    /// <summary>Every queue.declare argument some queue type (stream included) knows.</summary>
    public static IReadOnlySet<string> AllQueueArguments { get; } =
        new HashSet<string>(ClassicArguments.Concat(QuorumArguments).Concat(StreamArguments), StringComparer.Ordinal);

    /// <summary>Every basic.consume argument some queue type (stream included) knows.</summary>
    public static IReadOnlySet<string> AllConsumerArguments { get; } =
        new HashSet<string>(ClassicConsumerArguments.Concat(QuorumConsumerArguments).Concat(StreamConsumerArguments), StringComparer.Ordinal);

    public static IReadOnlyList<string> QueueArguments(QueueType type) => type switch
    {
        QueueType.Classic => ClassicArguments,
        QueueType.Quorum => QuorumArguments,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static IReadOnlyList<string> ConsumerArguments(QueueType type) => type switch
    {
        QueueType.Classic => ClassicConsumerArguments,
        QueueType.Quorum => QuorumConsumerArguments,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>
    /// Policy keys this queue type does not support. A policy whose definition has any of them does not apply to
    /// the queue at all (rabbit_queue_type:is_policy_applicable); the next matching policy may.
    /// </summary>
    public static IReadOnlyList<string> UnsupportedPolicyKeys(QueueType type) => type switch
    {
        QueueType.Classic => ClassicUnsupportedPolicies,
        QueueType.Quorum => QuorumUnsupportedPolicies,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Whether server-named queues (queue.declare with an empty name) may have this type: only classic.</summary>
    public static bool AllowsServerNamed(QueueType type) => type == QueueType.Classic;
}
