namespace OrleansBroker.Grains.Policies;

/// <summary>The outcome of <see cref="PolicyValidation"/>: the policy when it is acceptable, else RabbitMQ's error lines.</summary>
public sealed record PolicyValidationResult(Policy? Policy, IReadOnlyList<string> Errors)
{
    public bool IsValid => Policy is not null;

    /// <summary>
    /// The errors as rabbitmqctl set_policy prints them after "Error:" and PUT /api/policies returns them as the
    /// "reason" (there HTML-escaped: &amp;lt; for &lt;): "Validation failed\n\n-1 is not a valid message TTL\n".
    /// </summary>
    public string? ErrorText => IsValid ? null : "Validation failed\n\n" + string.Concat(Errors.Select(error => error + "\n"));
}
