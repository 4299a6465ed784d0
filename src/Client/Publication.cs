using System.Text;
using OrleansBroker.Amqp;

namespace OrleansBroker.Client;

/// <summary>
/// One message to publish: where to (exchange and routing key), whether an unroutable one is reported as
/// <see cref="PublishOutcome.Returned"/> (<see cref="Mandatory"/>), and its content. The properties are kept in the
/// AMQP content header's encoding (property flags, then the present properties), exactly as an AMQP client sends them,
/// so AMQP consumers receive them byte for byte. Make one with <see cref="Create"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.Publication")]
public sealed class Publication
{
    /// <summary>The longest exchange name or routing key AMQP can carry (a short string), in UTF-8 bytes.</summary>
    public const int MaxNameLength = 255;

    /// <summary>Property flags 0: no property present.</summary>
    private static readonly byte[] NoProperties = [0, 0];

    private Publication(string exchange, string routingKey, bool mandatory, ReadOnlyMemory<byte> properties, ReadOnlyMemory<byte> body)
    {
        Exchange = exchange;
        RoutingKey = routingKey;
        Mandatory = mandatory;
        Properties = properties;
        Body = body;
    }

    /// <summary>The exchange published to; "" is the default exchange, which routes to the queue named by the routing key.</summary>
    [Id(0)]
    public string Exchange { get; }

    /// <summary>The routing key the exchange routes by.</summary>
    [Id(1)]
    public string RoutingKey { get; }

    /// <summary>Report a message that reaches no queue as <see cref="PublishOutcome.Returned"/> (basic.publish's mandatory flag).</summary>
    [Id(2)]
    public bool Mandatory { get; }

    /// <summary>The basic properties as an AMQP content header carries them (<see cref="BasicPropertiesWriter"/>).</summary>
    [Id(3)]
    public ReadOnlyMemory<byte> Properties { get; }

    /// <summary>The content.</summary>
    [Id(4)]
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>
    /// A publication of <paramref name="body"/> (copied: the broker keeps it, so the caller may reuse its buffer) with
    /// <paramref name="properties"/> (none when null) encoded as AMQP basic properties.
    /// </summary>
    /// <exception cref="ArgumentException">The exchange name, routing key or a short-string property is longer than 255 UTF-8 bytes.</exception>
    public static Publication Create(string exchange, string routingKey, ReadOnlyMemory<byte> body, MessageProperties? properties = null, bool mandatory = false)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(routingKey);
        CheckShortString(exchange, nameof(exchange));
        CheckShortString(routingKey, nameof(routingKey));
        var encoded = properties is null ? NoProperties : Encode(properties);
        return new Publication(exchange, routingKey, mandatory, encoded, body.ToArray());
    }

    private static byte[] Encode(MessageProperties properties)
    {
        string?[] shortStrings =
        [
            properties.ContentType, properties.ContentEncoding, properties.CorrelationId, properties.ReplyTo, properties.Expiration,
            properties.MessageId, properties.Type, properties.UserId, properties.AppId, properties.ClusterId,
        ];
        foreach (var value in shortStrings)
        {
            if (value is not null)
            {
                CheckShortString(value, nameof(properties));
            }
        }

        return BasicPropertiesWriter.ToArray(properties);
    }

    private static void CheckShortString(string value, string parameter)
    {
        if (Encoding.UTF8.GetByteCount(value) > MaxNameLength)
        {
            throw new ArgumentException(
                $"'{value[..Math.Min(value.Length, 32)]}...' is longer than the {MaxNameLength} UTF-8 bytes an AMQP short string holds", parameter);
        }
    }
}
