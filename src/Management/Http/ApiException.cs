using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Management.Http;

/// <summary>An HTTP error as RabbitMQ's management API writes it: a status and {"error": ..., "reason": ...}.</summary>
public sealed class ApiException(int status, string error, string reason) : Exception(reason)
{
    public int Status { get; } = status;

    public string Error { get; } = error;

    public static ApiException NotFound() => new(404, "Object Not Found", "Not Found");

    public static ApiException BadRequest(string reason) => new(400, "bad_request", reason);

    /// <summary>A user without the tag a route needs (rabbit_mgmt_util's spelling).</summary>
    public static ApiException NotAuthorised(string reason = "Not administrator user") => new(401, "not_authorised", reason);

    /// <summary>Wrong credentials (RabbitMQ's spelling differs from the one above).</summary>
    public static ApiException LoginFailed() => new(401, "not_authorized", "Login failed");

    public static ApiException MethodNotAllowed() => new(405, "Method Not Allowed", "Method Not Allowed");

    /// <summary>A broker refusal: 404 for what does not exist, otherwise 400 with the AMQP text after its code name.</summary>
    public static ApiException From(BrokerException e) => e.Code == ReplyCode.NotFound ? NotFound() : BadRequest(e.Message);
}
