namespace OrleansBroker.Grains.Policies;

/// <summary>
/// The two kinds of policy RabbitMQ has: policies, set by users with the policymaker tag, and operator policies,
/// set by operators to cap what policies and queue arguments ask for (only numeric limits, stricter one wins).
/// </summary>
[GenerateSerializer, Alias("ob.PolicyKind")]
public enum PolicyKind
{
    Policy,
    OperatorPolicy,
}
