using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Grains.Policies;

/// <summary>
/// The policies and operator policies of one virtual host with their patterns compiled: which of them apply to a
/// queue or an exchange (rabbit_policy:match/2). A policy matches when its apply-to covers the kind of object, its
/// pattern matches somewhere in the name, and, for a queue, no key of its definition is one the queue's type does not
/// support (a policy with delivery-limit does not apply to classic queues at all, so a lower-priority one may).
/// Of the matches the highest priority wins. Among equal priorities RabbitMQ's pick is undefined (it follows its
/// internal table's hash order: of "a" and "b" it picked "b", of "a" and "c" "a", observed); here the name that sorts
/// first (ordinal) wins, the same on every node.
/// </summary>
public sealed class VirtualHostPolicies
{
    private readonly Compiled[] _policies;
    private readonly Compiled[] _operatorPolicies;

    public VirtualHostPolicies(IEnumerable<Policy> policies, IEnumerable<Policy> operatorPolicies)
    {
        _policies = Compile(policies);
        _operatorPolicies = Compile(operatorPolicies);
    }

    public static VirtualHostPolicies Empty { get; } = new([], []);

    /// <summary>The policy and operator policy in force on queue <paramref name="queueName"/> of type <paramref name="type"/>.</summary>
    public AppliedPolicies ForQueue(string queueName, QueueType type) =>
        new(FirstMatch(_policies, queueName, type), FirstMatch(_operatorPolicies, queueName, type));

    /// <summary>The policy and operator policy in force on exchange <paramref name="exchangeName"/>.</summary>
    public AppliedPolicies ForExchange(string exchangeName) =>
        new(FirstMatch(_policies, exchangeName, null), FirstMatch(_operatorPolicies, exchangeName, null));

    /// <summary>Every policy of <paramref name="kind"/> matching the queue, winner first (rabbit_policy:match_all/2).</summary>
    public IReadOnlyList<Policy> AllMatchingQueue(PolicyKind kind, string queueName, QueueType type) =>
        Of(kind).Where(p => Matches(p, queueName, type)).Select(p => p.Policy).ToList();

    /// <summary>Every policy of <paramref name="kind"/> matching the exchange, winner first.</summary>
    public IReadOnlyList<Policy> AllMatchingExchange(PolicyKind kind, string exchangeName) =>
        Of(kind).Where(p => Matches(p, exchangeName, null)).Select(p => p.Policy).ToList();

    private Compiled[] Of(PolicyKind kind) => kind == PolicyKind.Policy ? _policies : _operatorPolicies;

    private static Policy? FirstMatch(Compiled[] policies, string name, QueueType? queueType)
    {
        foreach (var policy in policies)
        {
            if (Matches(policy, name, queueType))
            {
                return policy.Policy;
            }
        }

        return null;
    }

    /// <param name="queueType">The queue's type; null for an exchange.</param>
    private static bool Matches(Compiled compiled, string name, QueueType? queueType)
    {
        var policy = compiled.Policy;
        var kindMatches = policy.ApplyTo == PolicyApplyTo.All || policy.ApplyTo == (queueType is null ? PolicyApplyTo.Exchanges : PolicyApplyTo.Queues);
        return kindMatches
            && (queueType is not { } type || IsApplicable(policy.Definition, type))
            && compiled.Pattern.IsMatch(name);
    }

    private static bool IsApplicable(PolicyDefinition definition, QueueType type)
    {
        var unsupported = QueueTypeCapabilities.UnsupportedPolicyKeys(type);
        return !definition.Keys.Any(unsupported.Contains);
    }

    // Sorted once: highest priority first, then name.
    private static Compiled[] Compile(IEnumerable<Policy> policies) =>
        policies
            .OrderByDescending(policy => policy.Priority)
            .ThenBy(policy => policy.Name, StringComparer.Ordinal)
            .Select(policy => new Compiled(policy, PolicyPattern.Create(policy.Pattern)))
            .ToArray();

    private sealed record Compiled(Policy Policy, PolicyPattern Pattern);
}
