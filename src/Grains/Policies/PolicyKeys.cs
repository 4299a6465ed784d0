namespace OrleansBroker.Grains.Policies;

/// <summary>
/// Every policy key RabbitMQ 3.10 accepts with the plugins its Debian package enables by default (rabbit_policies,
/// rabbit_queue_location_validator, rabbit_mirror_queue_misc), and what this broker does with each. Keys of plugins
/// that are off by default there (federation-upstream, ...) are "not recognised", as on RabbitMQ.
/// </summary>
public static class PolicyKeys
{
    private const string MirroringRefused = "refused: classic queue mirroring is deprecated in RabbitMQ 3.10 and gone in RabbitMQ 4; use quorum queues";

    public static IReadOnlyList<PolicyKey> All { get; } =
    [
        new("alternate-exchange", false, PolicyKeySupport.Applied, "exchanges: where unroutable messages go; the exchange's own alternate-exchange argument wins"),
        new("dead-letter-exchange", false, PolicyKeySupport.Applied, "queues: where dead-lettered messages go; x-dead-letter-exchange wins"),
        new("dead-letter-routing-key", false, PolicyKeySupport.Applied, "queues: routing key of dead-lettered messages; x-dead-letter-routing-key wins"),
        new("dead-letter-strategy", false, PolicyKeySupport.Applied, "quorum queues: at-most-once or at-least-once; x-dead-letter-strategy wins"),
        new("delivery-limit", true, PolicyKeySupport.Applied, "quorum queues: deliveries before a message is dead-lettered; the smaller of policy and x-delivery-limit"),
        new("expires", true, PolicyKeySupport.Applied, "queues: unused queue deleted after this many ms; classic: the smaller of policy and x-expires, quorum: the policy's"),
        new("max-length", true, PolicyKeySupport.Applied, "queues: most ready messages; the smaller of policy and x-max-length"),
        new("max-length-bytes", true, PolicyKeySupport.Applied, "queues: most bytes of ready message bodies; the smaller of policy and x-max-length-bytes"),
        new("message-ttl", true, PolicyKeySupport.Applied, "queues: message lifetime in ms; the smaller of policy and x-message-ttl"),
        new("overflow", false, PolicyKeySupport.Applied, "queues: drop-head, reject-publish or reject-publish-dlx at the limit; classic: x-overflow wins, quorum: the policy's"),
        new("queue-mode", false, PolicyKeySupport.Applied, "classic queues: default or lazy, reported in listings; this broker has one storage strategy for both"),
        new("max-in-memory-length", true, PolicyKeySupport.AcceptedWithoutEffect, "quorum queues: RabbitMQ's cap on messages kept in memory; every queued body is in memory here until paging exists"),
        new("max-in-memory-bytes", true, PolicyKeySupport.AcceptedWithoutEffect, "quorum queues: RabbitMQ's cap on bytes kept in memory; every queued body is in memory here until paging exists"),
        new("queue-version", false, PolicyKeySupport.AcceptedWithoutEffect, "classic queues: RabbitMQ's on-disk format version (1 or 2); this broker has its own message store"),
        new("queue-master-locator", false, PolicyKeySupport.AcceptedWithoutEffect, "classic queues: node placement in a cluster; a queue lives on the node that declares it here"),
        new("queue-leader-locator", false, PolicyKeySupport.AcceptedWithoutEffect, "quorum queues and streams: leader placement in a cluster; not used until replication exists"),
        new("initial-cluster-size", false, PolicyKeySupport.AcceptedWithoutEffect, "streams: replica count; streams are not supported, so it applies to no queue"),
        new("max-age", false, PolicyKeySupport.AcceptedWithoutEffect, "streams: retention; streams are not supported, so it applies to no queue"),
        new("stream-max-segment-size-bytes", false, PolicyKeySupport.AcceptedWithoutEffect, "streams: segment size; streams are not supported, so it applies to no queue"),
        new("ha-mode", false, PolicyKeySupport.Refused, MirroringRefused),
        new("ha-params", false, PolicyKeySupport.Refused, MirroringRefused),
        new("ha-sync-mode", false, PolicyKeySupport.Refused, MirroringRefused),
        new("ha-sync-batch-size", false, PolicyKeySupport.Refused, MirroringRefused),
        new("ha-promote-on-shutdown", false, PolicyKeySupport.Refused, MirroringRefused),
        new("ha-promote-on-failure", false, PolicyKeySupport.Refused, MirroringRefused),
    ];

    private static readonly Dictionary<string, PolicyKey> ByName = All.ToDictionary(key => key.Name, StringComparer.Ordinal);

    public static PolicyKey? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>Whether a definition of <paramref name="kind"/> may hold <paramref name="name"/> (refused keys count as known).</summary>
    public static bool IsKnown(PolicyKind kind, string name) =>
        Find(name) is { } key && (kind == PolicyKind.Policy || key.AllowedInOperatorPolicies);
}
