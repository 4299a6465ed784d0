using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Grains.Policies;

/// <summary>
/// Checks a policy definition as RabbitMQ 3.10 does (rabbit_policy:validation and its registered validators), with
/// its texts: "-1 is not a valid message TTL", "[{&lt;&lt;"foo"&gt;&gt;,1}] are not recognised policy settings". As there,
/// the location validator goes first, then rabbit_policies' keys in key order, then the mirroring keys, and only
/// when all known keys pass are unknown ones reported; one definition error is reported, not all. Operator policies
/// accept only the numeric limits (<see cref="PolicyKey.AllowedInOperatorPolicies"/>).
/// Deliberate difference: ha-mode, ha-params and the other classic-mirroring keys are refused with
/// <see cref="MirroringRefusal"/> (RabbitMQ 3.10 accepts them; its own operator policies refuse them too).
/// </summary>
public static class PolicyDefinitionValidation
{
    /// <summary>The refusal of a classic-mirroring key; the text points to quorum queues.</summary>
    public static string MirroringRefusal(string key) =>
        $"{key} is not supported: classic queue mirroring is deprecated in RabbitMQ 3.10 and removed in RabbitMQ 4; " +
        "declare the queue with x-queue-type=quorum for a replicated queue";

    /// <summary>The first error line for <paramref name="definition"/>, or null when RabbitMQ would accept it.</summary>
    public static string? FindError(PolicyKind kind, PolicyDefinition definition)
    {
        if (definition.Count == 0)
        {
            return "no policy provided";
        }

        if (kind == PolicyKind.Policy && definition.TryGetValue("queue-master-locator", out var locator)
            && !(locator is PolicyValue.Text { Value: var strategy } && QueueSettingValues.MasterLocators.Contains(strategy)))
        {
            return $"{locator.ToErlangText()} invalid queue-master-locator value";
        }

        foreach (var (key, value) in definition)
        {
            if (PolicyKeys.IsKnown(kind, key) && PolicyKeys.Find(key)!.Support != PolicyKeySupport.Refused
                && key != "queue-master-locator" && FindValueError(key, value) is { } reason)
            {
                return $"{value.ToErlangText()} {reason}";
            }
        }

        if (kind == PolicyKind.Policy && definition.Keys.FirstOrDefault(key => PolicyKeys.Find(key)?.Support == PolicyKeySupport.Refused) is { } refused)
        {
            return MirroringRefusal(refused);
        }

        var unknown = definition.Where(entry => !PolicyKeys.IsKnown(kind, entry.Key)).ToList();
        if (unknown.Count > 0)
        {
            var terms = unknown.Select(entry => "{" + new PolicyValue.Text(entry.Key).ToErlangText() + "," + entry.Value.ToErlangText() + "}");
            return "[" + string.Join(",", terms) + "] are not recognised policy settings";
        }

        return null;
    }

    // rabbit_policies:validate_policy0/2: what follows the value in the error line.
    private static string? FindValueError(string key, PolicyValue value) => key switch
    {
        "alternate-exchange" => value is PolicyValue.Text ? null : "is not a valid alternate exchange name",
        "dead-letter-exchange" => value is PolicyValue.Text ? null : "is not a valid dead letter exchange name",
        "dead-letter-routing-key" => value is PolicyValue.Text ? null : "is not a valid dead letter routing key",
        "dead-letter-strategy" => IsOneOf(value, "at-most-once", "at-least-once") ? null : "is not a valid dead letter strategy",
        "message-ttl" => IsIntegerAtLeast(value, 0) ? null : "is not a valid message TTL",
        "expires" => IsIntegerAtLeast(value, 1) ? null : "is not a valid queue expiry",
        "max-length" => IsIntegerAtLeast(value, 0) ? null : "is not a valid maximum length",
        "max-length-bytes" => IsIntegerAtLeast(value, 0) ? null : "is not a valid maximum length in bytes",

        // Both in-memory limits share this text in RabbitMQ 3.10.
        "max-in-memory-length" or "max-in-memory-bytes" => IsIntegerAtLeast(value, 0) ? null : "is not a valid maximum memory in bytes",
        "queue-mode" => IsOneOf(value, "default", "lazy") ? null : "is not a valid queue-mode value",
        "queue-version" => value is PolicyValue.Integer { Value: 1 or 2 } ? null : "is not a valid queue-version value",
        "overflow" => IsOneOf(value, "drop-head", "reject-publish", "reject-publish-dlx") ? null : "is not a valid overflow value",
        "delivery-limit" => IsIntegerAtLeast(value, 0) ? null : "is not a valid delivery limit",
        "max-age" => value is PolicyValue.Text { Value: var age } && StreamMaxAge.TryParse(age, out _) ? null : "is not a valid max age",
        "queue-leader-locator" => IsOneOf(value, [.. QueueSettingValues.LeaderLocators]) ? null : "is not a valid queue leader locator value",
        "initial-cluster-size" => IsIntegerAtLeast(value, 0) ? null : "is not a valid cluster size",
        "stream-max-segment-size-bytes" => value is PolicyValue.Integer { Value: >= 0 and <= 3_000_000_000 } ? null : "is not a valid segment size",
        _ => null,
    };

    private static bool IsIntegerAtLeast(PolicyValue value, long minimum) => value is PolicyValue.Integer integer && integer.Value >= minimum;

    private static bool IsOneOf(PolicyValue value, params string[] allowed) => value is PolicyValue.Text text && allowed.Contains(text.Value);
}
