using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using OrleansBroker.Grains.Model;
using OrleansBroker.Management.Access;
using OrleansBroker.Management.Api;

namespace OrleansBroker.Management.Http;

/// <summary>
/// The management HTTP API: HTTP basic authentication against the broker's users (a user needs one of the management
/// tags), then the route that matches the method and path, with RabbitMQ's JSON error bodies.
/// </summary>
public sealed class ManagementApi
{
    // RabbitMQ writes "->" in connection names as is; the default encoder would write "\u003E".
    private static readonly JsonSerializerOptions Output = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly List<ApiRoute> _routes;
    private readonly ManagementAccess _access;
    private readonly ILogger _logger;

    public ManagementApi(
        ManagementAccess access,
        ILoggerFactory loggers,
        QueueRoutes queues,
        ExchangeRoutes exchanges,
        BindingRoutes bindings,
        ConnectionRoutes connections,
        OverviewRoutes overview,
        AccessRoutes accessRoutes,
        DefinitionRoutes definitions,
        HealthRoutes health,
        PolicyRoutes policies)
    {
        _access = access;
        _logger = loggers.CreateLogger("OrleansBroker.Management");
        _routes = [.. queues.Routes(), .. exchanges.Routes(), .. bindings.Routes(), .. connections.Routes(), .. overview.Routes(),
            .. accessRoutes.Routes(), .. definitions.Routes(), .. health.Routes(), .. policies.Routes()];
    }

    public async Task HandleAsync(HttpContext context)
    {
        ApiReply reply;
        try
        {
            reply = await DispatchAsync(context);
        }
        catch (ApiException e)
        {
            if (e.Status == 401)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"RabbitMQ Management\"";
            }

            // Without credentials RabbitMQ answers 401 with no body.
            reply = new ApiReply(e.Status, e.Error.Length == 0 ? null : new JsonObject { ["error"] = e.Error, ["reason"] = e.Message });
        }
        catch (BrokerException e)
        {
            var error = ApiException.From(e);
            reply = new ApiReply(error.Status, new JsonObject { ["error"] = error.Error, ["reason"] = error.Message });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "management API: {Method} {Path} failed", context.Request.Method, context.Request.Path);
            reply = new ApiReply(500, new JsonObject { ["error"] = "Internal Server Error", ["reason"] = e.Message });
        }

        context.Response.StatusCode = reply.Status;
        context.Response.Headers.CacheControl = "no-cache";
        if (reply.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.Body.ToJsonString(Output), context.RequestAborted);
        }
    }

    private async Task<ApiReply> DispatchAsync(HttpContext context)
    {
        var path = RawPath(context);
        if (!path.StartsWith("/api/", StringComparison.Ordinal) && path != "/api")
        {
            throw ApiException.NotFound();
        }

        var user = await AuthenticateAsync(context);
        var segments = path.Length <= "/api/".Length
            ? []
            : path["/api/".Length..].TrimEnd('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        var methodMatched = false;
        foreach (var route in _routes)
        {
            if (route.TryMatch(segments, out var arguments))
            {
                if (!string.Equals(route.Method, context.Request.Method, StringComparison.OrdinalIgnoreCase)
                    && !(route.Method == "GET" && HttpMethods.IsHead(context.Request.Method)))
                {
                    methodMatched = true;
                    continue;
                }

                return await route.Handler(new ApiRequest(context, segments, user), arguments);
            }
        }

        throw methodMatched ? ApiException.MethodNotAllowed() : ApiException.NotFound();
    }

    /// <summary>The path as the client sent it, so an encoded "/" (%2F, the default vhost) stays inside its segment.</summary>
    private static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query >= 0 ? raw[..query] : raw;
    }

    private async Task<ManagementUser> AuthenticateAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(401, "", "");
        }

        string credentials;
        try
        {
            credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            throw ApiException.LoginFailed();
        }

        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? null : await _access.AuthenticateAsync(credentials[..colon], credentials[(colon + 1)..]);
        if (user is null)
        {
            throw ApiException.LoginFailed();
        }

        if (!user.MayUseManagement)
        {
            throw ApiException.NotAuthorised("Not management user");
        }

        return user;
    }
}
