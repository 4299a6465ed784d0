using Microsoft.Extensions.Logging;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Policies;
using OrleansBroker.Grains.QueueFeatures;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Grains.VirtualHosts;

/// <summary>
/// Policies and operator policies: durable state of the virtual host (one grain per vhost, so cluster-wide). Each queue
/// is told the policies in force on it (<see cref="Queues.IQueueGrain.ApplyPolicies"/>) at declare, when its node
/// starts, and whenever they change for it (all such queues at once); a queue whose node is down is told when it is
/// back. An exchange's alternate exchange from a policy (its own argument wins) reaches every node's routing with the
/// exchange's declaration as routing sees it.
/// </summary>
public sealed partial class VirtualHostGrain
{
    private const string AlternateExchangeKey = "alternate-exchange";

    // What each queue was last told; a queue not here has not been told by this activation.
    private readonly Dictionary<string, AppliedPolicies> _toldQueues = new(StringComparer.Ordinal);

    // Queues that could not be told (their node was down or did not answer): told again by the node check.
    private readonly HashSet<string> _queuesToTell = new(StringComparer.Ordinal);

    private VirtualHostPolicies? _compiledPolicies;

    private VirtualHostPolicies CompiledPolicies =>
        _compiledPolicies ??= new VirtualHostPolicies(_state.State.Policies, _state.State.OperatorPolicies);

    public async ValueTask SetPolicy(Policy policy, PolicyKind kind)
    {
        if (!string.Equals(policy.VirtualHost, VirtualHost, StringComparison.Ordinal))
        {
            throw new ArgumentException($"policy '{policy.Name}' of vhost '{policy.VirtualHost}' set on vhost '{VirtualHost}'", nameof(policy));
        }

        var validation = PolicyValidation.Validate(kind, policy);
        if (!validation.IsValid)
        {
            throw BrokerException.PreconditionFailed(validation.ErrorText!);
        }

        var policies = PoliciesOf(kind);
        policies.RemoveAll(p => string.Equals(p.Name, policy.Name, StringComparison.Ordinal));
        policies.Add(policy);
        await _state.WriteStateAsync();
        await PoliciesChangedAsync();
    }

    public async ValueTask<bool> ClearPolicy(string name, PolicyKind kind)
    {
        if (PoliciesOf(kind).RemoveAll(p => string.Equals(p.Name, name, StringComparison.Ordinal)) == 0)
        {
            return false;
        }

        await _state.WriteStateAsync();
        await PoliciesChangedAsync();
        return true;
    }

    public ValueTask<Policy[]> GetPolicies(PolicyKind kind) =>
        ValueTask.FromResult(PolicyStore.From(_state.State.Policies, _state.State.OperatorPolicies).List(kind, VirtualHost).ToArray());

    private List<Policy> PoliciesOf(PolicyKind kind) => kind == PolicyKind.Policy ? _state.State.Policies : _state.State.OperatorPolicies;

    /// <summary>
    /// An exchange as routing sees it: with the policy's alternate exchange as its "alternate-exchange" argument when
    /// it has none of its own (rabbit_policy:get_arg: the argument wins).
    /// </summary>
    private ExchangeDeclaration RoutingDeclaration(ExchangeDeclaration declaration) =>
        AlternateExchangeFromPolicy(CompiledPolicies, declaration) is { } alternate
            ? declaration with { Arguments = new FieldTable(declaration.Arguments.Append(new(AlternateExchangeKey, alternate))) }
            : declaration;

    private static string? AlternateExchangeFromPolicy(VirtualHostPolicies policies, ExchangeDeclaration declaration) =>
        declaration.Arguments.ContainsKey(AlternateExchangeKey)
            ? null
            : (policies.ForExchange(declaration.Name).Get(AlternateExchangeKey) as PolicyValue.Text)?.Value;

    /// <summary>The policies changed: exchanges whose alternate exchange changed are re-sent to routing; queues are told.</summary>
    private async ValueTask PoliciesChangedAsync()
    {
        var before = CompiledPolicies;
        _compiledPolicies = null;
        foreach (var declaration in Exchanges.Values)
        {
            if (!string.Equals(AlternateExchangeFromPolicy(before, declaration), AlternateExchangeFromPolicy(CompiledPolicies, declaration), StringComparison.Ordinal))
            {
                _changes.Add(RoutingChange.ExchangeUpdated(RoutingDeclaration(declaration)));
            }
        }

        await PublishChangesAsync();
        foreach (var gone in _toldQueues.Keys.Where(name => !Queues.ContainsKey(name)).ToList())
        {
            _toldQueues.Remove(gone);
        }

        await TellQueuesAsync(Queues.Keys.ToList(), evenIfTold: false);
    }

    /// <summary>A queue just created: it starts with the policies that match it.</summary>
    private async ValueTask TellNewQueueAsync(string name, QueueType type)
    {
        var applied = CompiledPolicies.ForQueue(name, type);
        if (applied != AppliedPolicies.None)
        {
            await Queue(name).ApplyPolicies(applied);
        }

        _toldQueues[name] = applied;
        _queuesToTell.Remove(name);
    }

    /// <summary>Queues told nothing (their node was down): tell them now that their node is up.</summary>
    private async ValueTask TellQueuesMissedAsync()
    {
        if (_queuesToTell.Count > 0)
        {
            await TellQueuesAsync(_queuesToTell.ToList(), evenIfTold: true);
        }
    }

    /// <summary>
    /// Tell these queues the policies in force on them, those whose policies differ from what they were told (or all of
    /// them), in parallel. A queue on a node that is down, or that fails, is told again by the node check.
    /// </summary>
    private async ValueTask TellQueuesAsync(IReadOnlyCollection<string> names, bool evenIfTold)
    {
        var policies = CompiledPolicies;
        var calls = new List<(string Name, AppliedPolicies Applied, Task Call)>();
        foreach (var name in names)
        {
            if (!Queues.TryGetValue(name, out var record))
            {
                _queuesToTell.Remove(name);
                continue;
            }

            var applied = policies.ForQueue(name, QueueTypeNames.FromArguments(record.Declaration.Arguments));
            if (!evenIfTold && _toldQueues.TryGetValue(name, out var told) && told == applied)
            {
                continue;
            }

            if (record.HomeNode is { } home && _nodes.FindActive(home) is null)
            {
                _queuesToTell.Add(name);
                continue;
            }

            calls.Add((name, applied, Queue(name).ApplyPolicies(applied).AsTask()));
        }

        foreach (var (name, applied, call) in calls)
        {
            try
            {
                await call;
                _toldQueues[name] = applied;
                _queuesToTell.Remove(name);
            }
            catch (Exception e)
            {
                _queuesToTell.Add(name);
                _logger.LogWarning("queue '{Queue}' in vhost '{VirtualHost}' was not told its policies: {Reason}", name, VirtualHost, e.Message);
            }
        }
    }
}
