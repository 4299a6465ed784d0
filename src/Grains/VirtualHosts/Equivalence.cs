using System.Globalization;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.VirtualHosts;

/// <summary>
/// RabbitMQ's equivalence rule for redeclaring an entity: the same flags, and the same value for
/// each argument that matters, or 406 PRECONDITION_FAILED worded as RabbitMQ words it.
/// </summary>
internal static class Equivalence
{
    /// <summary>The queue arguments RabbitMQ compares on redeclare (rabbit_amqqueue:declare_args).</summary>
    private static readonly string[] QueueArguments =
    [
        "x-expires", "x-message-ttl", "x-dead-letter-exchange", "x-dead-letter-routing-key", "x-max-length",
        "x-max-length-bytes", "x-max-in-memory-length", "x-max-in-memory-bytes", "x-max-priority", "x-overflow",
        "x-queue-mode", "x-single-active-consumer", "x-queue-type", "x-quorum-initial-group-size", "x-delivery-limit",
        "x-queue-master-locator", "x-max-age", "x-stream-max-segment-size-bytes", "x-initial-cluster-size",
        "x-queue-leader-locator",
    ];

    /// <summary>The exchange arguments RabbitMQ compares on redeclare.</summary>
    private static readonly string[] ExchangeArguments = ["alternate-exchange"];

    public static void AssertField(bool current, bool received, string resource, string field)
    {
        if (current != received)
        {
            throw Inequivalent(field, resource, Quote(Bool(received)), Quote(Bool(current)));
        }
    }

    public static void AssertField(string current, string received, string resource, string field)
    {
        if (!string.Equals(current, received, StringComparison.Ordinal))
        {
            throw Inequivalent(field, resource, Quote(received), Quote(current));
        }
    }

    public static void AssertQueueArguments(FieldTable current, FieldTable received, string resource) =>
        AssertArguments(current, received, resource, QueueArguments);

    public static void AssertExchangeArguments(FieldTable current, FieldTable received, string resource) =>
        AssertArguments(current, received, resource, ExchangeArguments);

    private static void AssertArguments(FieldTable current, FieldTable received, string resource, string[] keys)
    {
        foreach (var key in keys)
        {
            var hasCurrent = current.TryGetValue(key, out var currentValue);
            var hasReceived = received.TryGetValue(key, out var receivedValue);
            if (hasCurrent == hasReceived && (!hasCurrent || SameValue(currentValue, receivedValue)))
            {
                continue;
            }

            throw Inequivalent(key, resource, Describe(hasReceived, receivedValue), Describe(hasCurrent, currentValue));
        }
    }

    private static BrokerException Inequivalent(string field, string resource, string received, string current) =>
        BrokerException.PreconditionFailed($"inequivalent arg '{field}' for {resource}: received {received} but current is {current}");

    /// <summary>Integers compare by value whatever their width, as RabbitMQ's table comparison does for declare args.</summary>
    private static bool SameValue(object? a, object? b)
    {
        if (TryInteger(a, out var x) && TryInteger(b, out var y))
        {
            return x == y;
        }

        return Equals(a, b) || (a is string s && b is AmqpLongString l && s == l.ToString()) || (b is string t && a is AmqpLongString m && t == m.ToString());
    }

    private static bool TryInteger(object? value, out long result)
    {
        switch (value)
        {
            case sbyte v: result = v; return true;
            case byte v: result = v; return true;
            case short v: result = v; return true;
            case ushort v: result = v; return true;
            case int v: result = v; return true;
            case uint v: result = v; return true;
            case long v: result = v; return true;
            default: result = 0; return false;
        }
    }

    private static string Describe(bool present, object? value) =>
        present ? $"the value '{Erlang(value)}' of type '{TypeName(value)}'" : "none";

    private static string Quote(string value) => $"'{value}'";

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>How RabbitMQ's ~tp prints a table value.</summary>
    private static string Erlang(object? value) => value switch
    {
        null => "undefined",
        bool b => Bool(b),
        string s => $"<<\"{s}\">>",
        AmqpLongString l => $"<<\"{l}\">>",
        byte[] bytes => $"<<{string.Join(",", bytes)}>>",
        float f => f.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>RabbitMQ's names for field-table types.</summary>
    private static string TypeName(object? value) => value switch
    {
        null => "void",
        bool => "bool",
        sbyte => "byte",
        byte => "unsignedbyte",
        short => "short",
        ushort => "unsignedshort",
        int => "signedint",
        uint => "unsignedint",
        long => "long",
        float => "float",
        double => "double",
        AmqpDecimal => "decimal",
        string or AmqpLongString => "longstr",
        byte[] => "binary",
        AmqpTimestamp => "timestamp",
        FieldTable => "table",
        System.Collections.IEnumerable => "array",
        _ => value.GetType().Name,
    };
}
