using System.Text.Json.Nodes;

namespace OrleansBroker.Management.Http;

/// <summary>
/// One route: a method and a path pattern after /api/ ("queues/{vhost}/{name}"), whose {placeholders} each match one
/// segment and are handed to the handler in order. A handler's null answer is 204 No Content.
/// </summary>
public sealed record ApiRoute(string Method, string Pattern, Func<ApiRequest, string[], Task<ApiReply>> Handler)
{
    private readonly string[] _parts = Pattern.Split('/');

    public bool TryMatch(string[] segments, out string[] arguments)
    {
        arguments = [];
        if (segments.Length != _parts.Length)
        {
            return false;
        }

        var values = new List<string>();
        for (var i = 0; i < _parts.Length; i++)
        {
            if (_parts[i].StartsWith('{'))
            {
                values.Add(segments[i]);
            }
            else if (!string.Equals(_parts[i], segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        arguments = values.ToArray();
        return true;
    }
}

/// <summary>What a handler answers: a status and a JSON body (none for 201 / 204).</summary>
public readonly record struct ApiReply(int Status, JsonNode? Body)
{
    public static ApiReply Ok(JsonNode? body) => new(200, body);

    public static ApiReply Created => new(201, null);

    public static ApiReply NoContent => new(204, null);
}
