using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace OrleansBroker.Management.Http;

/// <summary>One API call: its method, the decoded segments of its path after /api, its query and body, and its user.</summary>
public sealed class ApiRequest(HttpContext context, string[] segments, ManagementUser user)
{
    public HttpContext Context { get; } = context;

    public string Method => Context.Request.Method;

    /// <summary>The path after "/api/", split at '/' and then percent-decoded (so "%2F" is a vhost named "/").</summary>
    public string[] Segments { get; } = segments;

    public ManagementUser User { get; } = user;

    public string? Query(string name) => Context.Request.Query.TryGetValue(name, out var value) ? value.ToString() : null;

    public bool QueryFlag(string name) => string.Equals(Query(name), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The body as a JSON object (an empty body is an empty object); 400 when it is not one.</summary>
    public async Task<JsonObject> ReadBodyAsync()
    {
        using var reader = new StreamReader(Context.Request.Body);
        var text = await reader.ReadToEndAsync(Context.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return new JsonObject();
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw ApiException.BadRequest("body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"invalid JSON: {e.Message}");
        }
    }

    public void RequireAdministrator()
    {
        if (!User.IsAdministrator)
        {
            throw ApiException.NotAuthorised();
        }
    }

    public void RequireMonitor()
    {
        if (!User.IsMonitor)
        {
            throw ApiException.NotAuthorised("Not monitor user");
        }
    }
}
