using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace OrleansBroker.Grains.Policies;

/// <summary>
/// Every policy and operator policy of the broker, by virtual host and name: the one store the queue features and
/// the operators' side (API, CLI, definitions) share. Immutable: a change returns a new store, so a grain can keep one
/// as state and hand snapshots out. Holds only validated policies (<see cref="PolicyValidation"/>); setting one with
/// an existing name replaces it, as rabbitmqctl set_policy does.
/// </summary>
public sealed class PolicyStore
{
    public static readonly PolicyStore Empty = new(
        ImmutableDictionary.Create<(string VirtualHost, string Name), Policy>(),
        ImmutableDictionary.Create<(string VirtualHost, string Name), Policy>());

    private readonly ImmutableDictionary<(string VirtualHost, string Name), Policy> _policies;
    private readonly ImmutableDictionary<(string VirtualHost, string Name), Policy> _operatorPolicies;

    // Compiled patterns per virtual host, built on first use; safe to share since the store never changes.
    private readonly ConcurrentDictionary<string, VirtualHostPolicies> _compiled = new(StringComparer.Ordinal);

    private PolicyStore(
        ImmutableDictionary<(string VirtualHost, string Name), Policy> policies,
        ImmutableDictionary<(string VirtualHost, string Name), Policy> operatorPolicies)
    {
        _policies = policies;
        _operatorPolicies = operatorPolicies;
    }

    /// <summary>A store holding these policies (as kept in grain state); later duplicates of a vhost and name win.</summary>
    public static PolicyStore From(IEnumerable<Policy> policies, IEnumerable<Policy> operatorPolicies)
    {
        var store = Empty;
        foreach (var policy in policies)
        {
            store = store.Set(PolicyKind.Policy, policy);
        }

        foreach (var policy in operatorPolicies)
        {
            store = store.Set(PolicyKind.OperatorPolicy, policy);
        }

        return store;
    }

    public PolicyStore Set(PolicyKind kind, Policy policy) => With(kind, Of(kind).SetItem((policy.VirtualHost, policy.Name), policy));

    /// <summary>The store without the named policy; the same store when there is none.</summary>
    public PolicyStore Clear(PolicyKind kind, string virtualHost, string name) =>
        Of(kind).ContainsKey((virtualHost, name)) ? With(kind, Of(kind).Remove((virtualHost, name))) : this;

    /// <summary>The store without any policy of the virtual host (when the vhost is deleted).</summary>
    public PolicyStore ClearVirtualHost(string virtualHost) => new(
        _policies.RemoveRange(_policies.Keys.Where(key => key.VirtualHost == virtualHost)),
        _operatorPolicies.RemoveRange(_operatorPolicies.Keys.Where(key => key.VirtualHost == virtualHost)));

    public Policy? Find(PolicyKind kind, string virtualHost, string name) => Of(kind).GetValueOrDefault((virtualHost, name));

    /// <summary>
    /// The policies of <paramref name="kind"/> (of one virtual host, or all when null) in the order RabbitMQ lists them
    /// (rabbitmqctl list_policies, GET /api/policies): ascending priority; then by name.
    /// </summary>
    public IReadOnlyList<Policy> List(PolicyKind kind, string? virtualHost = null) =>
        Of(kind).Values
            .Where(policy => virtualHost is null || policy.VirtualHost == virtualHost)
            .OrderBy(policy => policy.Priority)
            .ThenBy(policy => policy.VirtualHost, StringComparer.Ordinal)
            .ThenBy(policy => policy.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>The policies of one virtual host, compiled for matching queues and exchanges.</summary>
    public VirtualHostPolicies ForVirtualHost(string virtualHost) =>
        _compiled.GetOrAdd(virtualHost, vhost => new VirtualHostPolicies(List(PolicyKind.Policy, vhost), List(PolicyKind.OperatorPolicy, vhost)));

    private ImmutableDictionary<(string VirtualHost, string Name), Policy> Of(PolicyKind kind) =>
        kind == PolicyKind.Policy ? _policies : _operatorPolicies;

    private PolicyStore With(PolicyKind kind, ImmutableDictionary<(string VirtualHost, string Name), Policy> policies) =>
        kind == PolicyKind.Policy ? new PolicyStore(policies, _operatorPolicies) : new PolicyStore(_policies, policies);
}
