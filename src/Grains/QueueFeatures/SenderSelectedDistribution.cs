using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// Sender-selected distribution: the CC and BCC headers (arrays of long strings) add routing keys to a published
/// message, and BCC is removed before anyone sees the message (rabbit_basic:header_routes and strip_header, as at
/// basic.publish). A CC or BCC that is not an array closes the channel: 406 "invalid message:
/// {unacceptable_type_in_header,\"CC\",longstr}"; array elements that are not long strings are skipped (observed on
/// the reference broker).
/// </summary>
public static class SenderSelectedDistribution
{
    public const string CarbonCopy = "CC";
    public const string BlindCarbonCopy = "BCC";

    /// <summary>The reply text after "PRECONDITION_FAILED - " when CC or BCC has the wrong type; null when both are fine.</summary>
    public static string? FindError(FieldTable headers)
    {
        foreach (var name in (string[])[CarbonCopy, BlindCarbonCopy])
        {
            if (headers.TryGetValue(name, out var value) && value is not IReadOnlyList<object?>)
            {
                return $"invalid message: {{unacceptable_type_in_header,\"{name}\",{Routing.ErlangTermText.TypeName(value)}}}";
            }
        }

        return null;
    }

    /// <summary>All routing keys of a message, as RabbitMQ keeps them: the published routing key, then CC's, then BCC's.</summary>
    public static IReadOnlyList<string> RoutingKeys(string routingKey, FieldTable headers)
    {
        var routes = HeaderRoutes(headers);
        if (routes.Count == 0)
        {
            return [routingKey];
        }

        return [routingKey, .. routes];
    }

    /// <summary>The CC keys then the BCC keys (rabbit_basic:header_routes); headers of the wrong type give none.</summary>
    public static IReadOnlyList<string> HeaderRoutes(IReadOnlyList<KeyValuePair<string, object?>> headers)
    {
        var routes = new List<string>();
        foreach (var name in (string[])[CarbonCopy, BlindCarbonCopy])
        {
            if (FieldTableEdits.Lookup(headers, name) is IReadOnlyList<object?> keys)
            {
                foreach (var key in keys)
                {
                    if (key is string or AmqpLongString)
                    {
                        routes.Add(key.ToString()!);
                    }
                }
            }
        }

        return routes;
    }

    /// <summary>
    /// The raw properties without the first BCC header, other headers in their order (rabbit_basic:strip_header);
    /// null when there is no BCC header, so the original bytes can be kept.
    /// </summary>
    public static byte[]? WithoutBlindCarbonCopy(ReadOnlySpan<byte> properties)
    {
        var decoded = BasicPropertiesReader.Read(properties);
        if (decoded.Headers is not { } headers || !headers.ContainsKey(BlindCarbonCopy))
        {
            return null;
        }

        return BasicPropertiesWriter.ToArray(decoded with { Headers = FieldTableEdits.ToTable(FieldTableEdits.Delete(headers, BlindCarbonCopy)) });
    }
}
