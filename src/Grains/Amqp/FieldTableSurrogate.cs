namespace OrleansBroker.Amqp;

/// <summary>
/// How a <see cref="FieldTable"/> crosses a grain boundary between silos: its AMQP 0-9-1 encoding, which keeps every
/// value's wire type, the entry order and duplicates exactly (the same reason grain storage keeps tables that way).
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.FieldTable")]
public readonly struct FieldTableSurrogate(byte[] encoded)
{
    [Id(0)]
    public byte[] Encoded { get; } = encoded;
}

/// <summary>Converts field tables to and from <see cref="FieldTableSurrogate"/> for Orleans' serializer.</summary>
[RegisterConverter]
public sealed class FieldTableSurrogateConverter : IConverter<FieldTable, FieldTableSurrogate>
{
    public FieldTable ConvertFromSurrogate(in FieldTableSurrogate surrogate)
    {
        var reader = new AmqpReader(surrogate.Encoded);
        var table = reader.ReadTable();
        reader.EnsureFullyConsumed();
        return table;
    }

    public FieldTableSurrogate ConvertToSurrogate(in FieldTable value)
    {
        var encoded = new byte[AmqpSizes.Table(value)];
        var writer = new AmqpWriter(encoded);
        writer.WriteTable(value);
        return new FieldTableSurrogate(encoded);
    }
}
