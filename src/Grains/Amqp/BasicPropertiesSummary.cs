namespace OrleansBroker.Amqp;

/// <summary>
/// The basic-class properties the broker acts on, read once from the raw property bytes at publish.
/// Absent properties are 0 / null.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.BasicPropertiesSummary")]
public readonly record struct BasicPropertiesSummary(
    byte DeliveryMode,
    byte Priority,
    bool HasHeaders,
    string? Expiration,
    string? UserId);
