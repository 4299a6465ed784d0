namespace OrleansBroker.Grains.Policies;

/// <summary>A policy definition key RabbitMQ 3.10 knows, and what this broker does with it.</summary>
/// <param name="Name">The key as written in a definition ("message-ttl").</param>
/// <param name="AllowedInOperatorPolicies">Whether operator policies may set it (RabbitMQ allows only numeric limits).</param>
/// <param name="Support">Whether it is applied, accepted without effect, or refused.</param>
/// <param name="Effect">What it does here, for documentation and the operators' tools.</param>
public sealed record PolicyKey(string Name, bool AllowedInOperatorPolicies, PolicyKeySupport Support, string Effect);
