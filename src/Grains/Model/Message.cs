using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.Model;

/// <summary>
/// A published message, shared (never copied) by every queue it is routed to: immutable, so a grain call
/// inside one silo passes the reference. The content header's property bytes are kept raw, exactly as the
/// publisher sent them, so deliveries re-emit them byte-exact; only the few properties the broker acts on
/// are parsed, once, at publish.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.Message")]
public sealed class Message
{
    // Decoded on first use (only headers exchanges need it); not serialized: the properties hold it.
    [NonSerialized]
    private FieldTable? _headers;

    /// <param name="summary">What <see cref="BasicPropertiesReader.ReadSummary"/> read from <paramref name="properties"/>.</param>
    public Message(string exchange, string routingKey, ReadOnlyMemory<byte> properties, BasicPropertiesSummary summary, ReadOnlyMemory<byte> body)
    {
        Exchange = exchange;
        RoutingKey = routingKey;
        Properties = properties;
        Summary = summary;
        Body = body;
    }

    /// <summary>A message carrying only routing information, for routing tests.</summary>
    internal Message(string exchange, string routingKey, FieldTable headers)
    {
        Exchange = exchange;
        RoutingKey = routingKey;
        Summary = new BasicPropertiesSummary(0, 0, headers.Count > 0, null, null);
        _headers = headers;
    }

    /// <summary>The exchange it was published to.</summary>
    [Id(0)]
    public string Exchange { get; }

    [Id(1)]
    public string RoutingKey { get; }

    /// <summary>Property flags and property list of the content header, as received.</summary>
    [Id(2)]
    public ReadOnlyMemory<byte> Properties { get; }

    [Id(3)]
    public ReadOnlyMemory<byte> Body { get; }

    [Id(4)]
    public BasicPropertiesSummary Summary { get; }

    public bool IsPersistent => Summary.DeliveryMode == 2;

    /// <summary>The headers property, decoded on first use (a benign race: every thread decodes the same table).</summary>
    public FieldTable Headers => _headers ??= Summary.HasHeaders ? BasicPropertiesReader.ReadHeaders(Properties.Span) : FieldTable.Empty;
}
