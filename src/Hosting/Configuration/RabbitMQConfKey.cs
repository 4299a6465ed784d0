namespace OrleansBroker.Hosting.Configuration;

/// <summary>
/// One setting RabbitMQ's rabbitmq.conf schemas define: its key pattern, where a segment written "$name" stands
/// for any one segment ("listeners.tcp.$name" matches "listeners.tcp.default"), the schema (server or plugin)
/// that defines it, the datatypes a value may have and the named validators it must pass.
/// </summary>
internal sealed class RabbitMQConfKey(string pattern, string schema, RabbitMQConfDatatype[] datatypes, string[]? validators = null)
{
    private readonly string[] _segments = pattern.Split('.');

    public string Pattern { get; } = pattern;

    public string Schema { get; } = schema;

    public IReadOnlyList<RabbitMQConfDatatype> Datatypes { get; } = datatypes;

    public IReadOnlyList<string> Validators { get; } = validators ?? [];

    public bool Matches(IReadOnlyList<string> segments)
    {
        if (segments.Count != _segments.Length)
        {
            return false;
        }

        for (var i = 0; i < _segments.Length; i++)
        {
            if (!_segments[i].StartsWith('$') && !string.Equals(_segments[i], segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The pattern with its wildcards filled in from <paramref name="segments"/>, for suggestions.</summary>
    public string Instantiate(IReadOnlyList<string> segments) =>
        string.Join('.', _segments.Select((segment, i) => segment.StartsWith('$') && i < segments.Count ? segments[i] : segment));

    /// <summary>Why <paramref name="value"/> is refused, in RabbitMQ's terms, or null when it is accepted.</summary>
    public string? Refusal(string value)
    {
        if (!Datatypes.Any(datatype => datatype.Accepts(value)))
        {
            return "expected " + string.Join(" or ", Datatypes.Select(datatype => datatype.Description));
        }

        return RabbitMQConfValidators.FirstFailure(Validators, value);
    }
}
