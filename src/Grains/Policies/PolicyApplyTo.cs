namespace OrleansBroker.Grains.Policies;

/// <summary>What a policy applies to ("apply-to"): queues, exchanges, or both ("all", the default).</summary>
[GenerateSerializer, Alias("ob.PolicyApplyTo")]
public enum PolicyApplyTo
{
    All,
    Queues,
    Exchanges,
}

/// <summary>The "apply-to" texts of <see cref="PolicyApplyTo"/>.</summary>
public static class PolicyApplyToText
{
    public static string Text(PolicyApplyTo applyTo) => applyTo switch
    {
        PolicyApplyTo.All => "all",
        PolicyApplyTo.Queues => "queues",
        PolicyApplyTo.Exchanges => "exchanges",
        _ => throw new ArgumentOutOfRangeException(nameof(applyTo)),
    };

    public static bool TryParse(string? text, out PolicyApplyTo applyTo)
    {
        switch (text)
        {
            case "all": applyTo = PolicyApplyTo.All; return true;
            case "queues": applyTo = PolicyApplyTo.Queues; return true;
            case "exchanges": applyTo = PolicyApplyTo.Exchanges; return true;
            default: applyTo = PolicyApplyTo.All; return false;
        }
    }
}
