using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.Routing;

/// <summary>
/// The arguments of one headers-exchange binding, compiled for matching message headers the way
/// RabbitMQ's rabbit_exchange_type_headers does it:
/// <list type="bullet">
/// <item>x-match (its first occurrence, and only as a string) picks the mode; anything else means all.</item>
/// <item>The x-match argument never takes part; other "x-..." arguments take part only in the -with-x modes.</item>
/// <item>An argument whose value is void matches when the header is present, whatever its value.</item>
/// <item>Otherwise values compare as <see cref="HeaderValueEquality"/> says.</item>
/// <item>all with nothing left to compare matches every message (even one without headers); any never does.</item>
/// <item>Repeated keys: RabbitMQ merges both tables sorted by key (stably), so the n-th argument named k
/// is compared with the n-th header named k, and is missing when there are fewer.</item>
/// </list>
/// </summary>
internal sealed class HeadersBindingPattern
{
    private const string MatchModeKey = "x-match";

    private readonly Entry[] _entries;

    public HeadersBindingPattern(FieldTable arguments)
    {
        Mode = ParseMode(arguments);
        var withX = Mode is HeadersMatchMode.AllWithX or HeadersMatchMode.AnyWithX;
        var entries = new List<Entry>(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            var (key, value) = arguments[i];
            if (key == MatchModeKey || (!withX && key.StartsWith("x-", StringComparison.Ordinal)))
            {
                continue;
            }

            var occurrence = 0;
            foreach (var earlier in entries)
            {
                if (earlier.Key == key)
                {
                    occurrence++;
                }
            }

            entries.Add(new Entry(key, occurrence, value));
        }

        _entries = entries.ToArray();
    }

    public HeadersMatchMode Mode { get; }

    private bool RequiresAll => Mode is HeadersMatchMode.All or HeadersMatchMode.AllWithX;

    public bool Matches(FieldTable headers)
    {
        var requiresAll = RequiresAll;
        foreach (var entry in _entries)
        {
            var matched = TryFindHeader(headers, entry.Key, entry.Occurrence, out var value)
                && (entry.Value is null || HeaderValueEquality.ValuesEqual(entry.Value, value));
            if (matched != requiresAll)
            {
                // all: one miss decides; any: one hit decides.
                return matched;
            }
        }

        return requiresAll;
    }

    /// <summary>
    /// Why RabbitMQ refuses these binding arguments (the detail of its PRECONDITION_FAILED), or null
    /// when it accepts them. Only x-match is checked: absent, or one of the four mode strings.
    /// </summary>
    public static string? FindInvalidArgument(FieldTable arguments)
    {
        if (!arguments.TryGetValue(MatchModeKey, out var value) || value is string and ("all" or "any" or "all-with-x" or "any-with-x"))
        {
            return null;
        }

        return value is string or AmqpLongString
            ? $"Invalid x-match field value {ErlangTermText.Format(value)}; expected all, any, all-with-x, or any-with-x"
            : $"Invalid x-match field type {ErlangTermText.TypeName(value)} (value {ErlangTermText.Format(value)}); expected longstr";
    }

    private static HeadersMatchMode ParseMode(FieldTable arguments) =>
        arguments.TryGetValue(MatchModeKey, out var value) ? value switch
        {
            "any" => HeadersMatchMode.Any,
            "all-with-x" => HeadersMatchMode.AllWithX,
            "any-with-x" => HeadersMatchMode.AnyWithX,
            _ => HeadersMatchMode.All,
        } : HeadersMatchMode.All;

    private static bool TryFindHeader(FieldTable headers, string key, int occurrence, out object? value)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            if (string.Equals(header.Key, key, StringComparison.Ordinal) && occurrence-- == 0)
            {
                value = header.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <param name="Occurrence">How many arguments with the same key come before this one.</param>
    /// <param name="Value">What the header must equal; null (void) means the header only has to be present.</param>
    private readonly record struct Entry(string Key, int Occurrence, object? Value);
}
