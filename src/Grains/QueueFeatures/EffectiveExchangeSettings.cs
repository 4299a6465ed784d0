using OrleansBroker.Amqp;
using OrleansBroker.Grains.Policies;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// What policies change on an exchange: its alternate exchange. The exchange's own "alternate-exchange" argument wins
/// over the policy's (rabbit_policy:get_arg, as rabbit_exchange's routing looks it up).
/// </summary>
public sealed record EffectiveExchangeSettings
{
    /// <summary>Where messages this exchange cannot route go; null for nowhere.</summary>
    public string? AlternateExchange { get; init; }

    public string? PolicyName { get; init; }

    public string? OperatorPolicyName { get; init; }

    public PolicyDefinition? EffectivePolicyDefinition { get; init; }

    public static EffectiveExchangeSettings Resolve(FieldTable arguments, AppliedPolicies policies) => new()
    {
        AlternateExchange = arguments.GetString("alternate-exchange") ?? (policies.Get("alternate-exchange") as PolicyValue.Text)?.Value,
        PolicyName = policies.Policy?.Name,
        OperatorPolicyName = policies.OperatorPolicy?.Name,
        EffectivePolicyDefinition = policies.EffectiveDefinition,
    };
}
