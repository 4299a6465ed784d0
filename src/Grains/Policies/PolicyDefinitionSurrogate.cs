namespace OrleansBroker.Grains.Policies;

/// <summary>How a <see cref="PolicyDefinition"/> crosses a grain boundary: its entries, already sorted by key.</summary>
[GenerateSerializer, Immutable, Alias("ob.PolicyDefinition")]
public readonly struct PolicyDefinitionSurrogate(KeyValuePair<string, PolicyValue>[] entries)
{
    [Id(0)]
    public KeyValuePair<string, PolicyValue>[] Entries { get; } = entries;
}

/// <summary>Converts policy definitions to and from <see cref="PolicyDefinitionSurrogate"/> for Orleans' serializer.</summary>
[RegisterConverter]
public sealed class PolicyDefinitionSurrogateConverter : IConverter<PolicyDefinition, PolicyDefinitionSurrogate>
{
    public PolicyDefinition ConvertFromSurrogate(in PolicyDefinitionSurrogate surrogate) => new(surrogate.Entries);

    public PolicyDefinitionSurrogate ConvertToSurrogate(in PolicyDefinition value) => new([.. value]);
}
