using System.Text.Json.Serialization;

namespace OrleansBroker.Grains.Policies;

/// <summary>
/// The policy and the operator policy in force on one queue or exchange (either may be none), and the definition
/// they make together, as rabbit_policy:get/2 and effective_definition/1 compute it: a key set in only one of them
/// takes that value; a key set in both (only numeric limits can be: operator policies allow nothing else) takes the
/// smaller, so the stricter wins.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.AppliedPolicies")]
public sealed record AppliedPolicies(Policy? Policy, Policy? OperatorPolicy)
{
    public static readonly AppliedPolicies None = new(null, null);

    // rabbit_policies:merge_policy_value/3: these take the minimum of the policy's and the operator policy's value.
    private static readonly HashSet<string> MinimumKeys = new(StringComparer.Ordinal)
    {
        "message-ttl", "max-length", "max-length-bytes", "max-in-memory-length", "max-in-memory-bytes", "expires", "delivery-limit",
    };

    /// <summary>The merged value of one setting; null when neither policy sets it.</summary>
    public PolicyValue? Get(string key)
    {
        PolicyValue? value = null;
        PolicyValue? operatorValue = null;
        if (Policy is not null && Policy.Definition.TryGetValue(key, out var fromPolicy))
        {
            value = fromPolicy;
        }

        if (OperatorPolicy is not null && OperatorPolicy.Definition.TryGetValue(key, out var fromOperator))
        {
            operatorValue = fromOperator;
        }

        return (value, operatorValue) switch
        {
            (null, var only) => only,
            (var only, null) => only,
            _ => Merge(key, value, operatorValue),
        };
    }

    /// <summary>
    /// What the management API shows as effective_policy_definition: every key of either policy with its merged value;
    /// null when no policy applies. Derived, so not stored.
    /// </summary>
    [JsonIgnore]
    public PolicyDefinition? EffectiveDefinition => (Policy, OperatorPolicy) switch
    {
        (null, null) => null,
        ({ } policy, null) => policy.Definition,
        (null, { } operatorPolicy) => operatorPolicy.Definition,
        ({ } policy, { } operatorPolicy) => new PolicyDefinition(
            policy.Definition.Keys.Union(operatorPolicy.Definition.Keys, StringComparer.Ordinal)
                .Select(key => new KeyValuePair<string, PolicyValue>(key, Get(key)!))),
    };

    private static PolicyValue Merge(string key, PolicyValue value, PolicyValue operatorValue)
    {
        if (MinimumKeys.Contains(key) && value is PolicyValue.Integer integer && operatorValue is PolicyValue.Integer operatorInteger)
        {
            return integer.Value <= operatorInteger.Value ? value : operatorValue;
        }

        // Booleans: the operator's wins (merge_policy_value's last clause); validation lets nothing else reach here.
        return operatorValue;
    }
}
