using System.Globalization;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.QueueFeatures;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Grains.VirtualHosts;

/// <summary>
/// RabbitMQ's equivalence rule for redeclaring an entity: the same flags, and the same value for
/// each argument that matters, or 406 PRECONDITION_FAILED worded as RabbitMQ words it.
/// </summary>
internal static class Equivalence
{
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

    /// <summary>
    /// The arguments the existing queue's type knows are compared (rabbit_amqqueue:assert_args_equivalence), in that
    /// type's order; others may differ.
    /// </summary>
    public static void AssertQueueArguments(FieldTable current, FieldTable received, string resource) =>
        AssertArguments(current, received, resource, QueueTypeCapabilities.QueueArguments(QueueTypeNames.FromArguments(current)));

    public static void AssertExchangeArguments(FieldTable current, FieldTable received, string resource) =>
        AssertArguments(current, received, resource, ExchangeArguments);

    private static void AssertArguments(FieldTable current, FieldTable received, string resource, IReadOnlyList<string> keys)
    {
        foreach (var key in keys)
        {
            var hasCurrent = current.TryGetValue(key, out var currentValue);
            var hasReceived = received.TryGetValue(key, out var receivedValue);
            if (hasCurrent == hasReceived && (!hasCurrent || SameValue(currentValue, receivedValue)))
            {
                continue;
            }

            var (receivedText, currentText) = DescribePair(hasReceived, receivedValue, hasCurrent, currentValue);
            throw Inequivalent(key, resource, receivedText, currentText);
        }
    }

    private static BrokerException Inequivalent(string field, string resource, string received, string current) =>
        BrokerException.PreconditionFailed($"inequivalent arg '{field}' for {resource}: received {received} but current is {current}");

    /// <summary>Integers compare by value whatever their width, as RabbitMQ's table comparison does for declare args.</summary>
    private static bool SameValue(object? a, object? b)
    {
        if (FieldTable.TryConvertToInt64(a, out var x) && FieldTable.TryConvertToInt64(b, out var y))
        {
            return x == y;
        }

        return Equals(a, b) || (a is string s && b is AmqpLongString l && s == l.ToString()) || (b is string t && a is AmqpLongString m && t == m.ToString());
    }

    /// <summary>
    /// RabbitMQ words a differing argument as "'2000'" when both sides have it, and as
    /// "the value '10' of type 'signedint'" against "none" when one side lacks it.
    /// </summary>
    private static (string Received, string Current) DescribePair(bool hasReceived, object? received, bool hasCurrent, object? current) =>
        hasReceived && hasCurrent
            ? (Quote(Plain(received)), Quote(Plain(current)))
            : (Describe(hasReceived, received), Describe(hasCurrent, current));

    private static string Describe(bool present, object? value) =>
        present ? $"the value '{Plain(value)}' of type '{ErlangTermText.TypeName(value)}'" : "none";

    private static string Quote(string value) => $"'{value}'";

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>A value as RabbitMQ's ~ts prints it: strings as their text, numbers plainly.</summary>
    private static string Plain(object? value) => value switch
    {
        string s => s,
        AmqpLongString l => l.ToString(),
        bool b => Bool(b),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => ErlangTermText.Format(value),
    };
}
