using System.Collections.Immutable;

namespace OrleansBroker.Grains.Policies;

/// <summary>
/// Turns what a client sent to set a policy (PUT /api/policies/VHOST/NAME, rabbitmqctl set_policy, a definitions
/// import) into a <see cref="Policy"/>, or RabbitMQ 3.10's validation errors (rabbit_policy:validate): one line per
/// bad field, in RabbitMQ's order: definition, apply-to, pattern, priority. Absent priority is 0 and absent apply-to
/// is "all", as rabbit_policy:set has them.
/// Differences: a non-integer priority is refused ("priority should be an integer, actually was 1.5"; RabbitMQ takes
/// any number); a definition that is not a JSON object gets "definition must be a dictionary: ..." where RabbitMQ's
/// management API answers 500.
/// </summary>
public static class PolicyValidation
{
    /// <summary>The text before the PCRE error tuple in a refused pattern's line.</summary>
    public const string InvalidPatternPrefix = "pattern should be regular expression but is invalid: ";

    /// <param name="kind">Policy or operator policy: they accept different definition keys.</param>
    /// <param name="pattern">The "pattern" field as sent (text when valid).</param>
    /// <param name="definition">The "definition" field as sent (a map when valid).</param>
    /// <param name="priority">The "priority" field, null when absent (then 0).</param>
    /// <param name="applyTo">The "apply-to" field, null when absent (then "all").</param>
    public static PolicyValidationResult Validate(
        PolicyKind kind, string virtualHost, string name, PolicyValue pattern, PolicyValue definition, PolicyValue? priority = null, PolicyValue? applyTo = null)
    {
        var errors = ImmutableArray.CreateBuilder<string>();
        PolicyDefinition? validDefinition = null;
        if (definition is PolicyValue.Map map)
        {
            validDefinition = new PolicyDefinition(map.Entries);
            if (PolicyDefinitionValidation.FindError(kind, validDefinition) is { } definitionError)
            {
                errors.Add(definitionError);
            }
        }
        else
        {
            errors.Add($"definition must be a dictionary: {definition.ToErlangText()}");
        }

        var validApplyTo = PolicyApplyTo.All;
        if (applyTo is not null && !(applyTo is PolicyValue.Text { Value: var applyToText } && PolicyApplyToText.TryParse(applyToText, out validApplyTo)))
        {
            var shown = applyTo is PolicyValue.Text text ? text.Value : applyTo.ToErlangText();
            errors.Add($"apply-to '{shown}' unrecognised; should be 'queues', 'exchanges' or 'all'");
        }

        if (pattern is not PolicyValue.Text patternText)
        {
            errors.Add($"pattern should be a binary but was {pattern.ToErlangText()}");
        }
        else if (!PolicyPattern.TryCreate(patternText.Value, out _, out var patternError))
        {
            errors.Add(InvalidPatternPrefix + patternError);
        }

        var validPriority = 0;
        switch (priority)
        {
            case null:
                break;
            case PolicyValue.Integer { Value: >= int.MinValue and <= int.MaxValue } integer:
                validPriority = (int)integer.Value;
                break;
            case PolicyValue.Integer or PolicyValue.Float:
                errors.Add($"priority should be an integer, actually was {priority.ToErlangText()}");
                break;
            default:
                errors.Add($"priority should be a number, actually was {priority.ToErlangText()}");
                break;
        }

        if (errors.Count > 0)
        {
            return new PolicyValidationResult(null, errors.ToImmutable());
        }

        var policy = new Policy(virtualHost, name, ((PolicyValue.Text)pattern).Value, validApplyTo, validPriority, validDefinition!);
        return new PolicyValidationResult(policy, []);
    }

    /// <summary>Checks a policy built from typed fields (a definitions import, a stored policy): its pattern and definition.</summary>
    public static PolicyValidationResult Validate(PolicyKind kind, Policy policy)
    {
        var result = Validate(
            kind,
            policy.VirtualHost,
            policy.Name,
            new PolicyValue.Text(policy.Pattern),
            policy.Definition.ToValue(),
            new PolicyValue.Integer(policy.Priority),
            new PolicyValue.Text(PolicyApplyToText.Text(policy.ApplyTo)));
        return result.IsValid ? result with { Policy = policy } : result;
    }
}
