using System.Text.RegularExpressions;
using OrleansBroker.Grains.Access;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Gateway.Authentication;

/// <summary>
/// What one connection's user may do in its vhost, fixed at connection.open (RabbitMQ's channels cache their checks
/// too, so a change of permissions applies to new connections): the compiled configure / write / read expressions,
/// the topic permissions with {username} and {vhost} filled in, and whether the user may impersonate.
/// Each channel checks through its own <see cref="AccessChecks"/>.
/// </summary>
internal sealed class ConnectionPermissions
{
    private readonly Regex _configure;
    private readonly Regex _write;
    private readonly Regex _read;
    private readonly Dictionary<string, (Regex Write, Regex Read)> _topics;

    public ConnectionPermissions(string user, string vhost, UserPermission permission, TopicPermission[] topics, string[] tags)
    {
        User = user;
        VirtualHost = vhost;
        _configure = PermissionPatterns.Get(permission.Configure);
        _write = PermissionPatterns.Get(permission.Write);
        _read = PermissionPatterns.Get(permission.Read);
        _topics = topics.ToDictionary(
            t => t.Exchange,
            t => (PermissionPatterns.Get(Expand(t.Write, user, vhost)), PermissionPatterns.Get(Expand(t.Read, user, vhost))),
            StringComparer.Ordinal);
        IsImpersonator = Array.IndexOf(tags, UserTags.Impersonator) >= 0;
    }

    public string User { get; }

    public string VirtualHost { get; }

    /// <summary>May publish with a user_id property naming someone else.</summary>
    public bool IsImpersonator { get; }

    /// <summary>True when some exchange has a topic permission: otherwise topic checks cost nothing.</summary>
    public bool HasTopicPermissions => _topics.Count > 0;

    public bool Allows(ResourceAccess access, string name) => access switch
    {
        ResourceAccess.Configure => _configure.IsMatch(name),
        ResourceAccess.Write => _write.IsMatch(name),
        _ => _read.IsMatch(name),
    };

    /// <summary>A routing key on a topic exchange: allowed when the exchange has no topic permission (RabbitMQ's rule).</summary>
    public bool AllowsTopic(ResourceAccess access, string exchange, string routingKey) =>
        !_topics.TryGetValue(exchange, out var topic)
        || (access == ResourceAccess.Write ? topic.Write : topic.Read).IsMatch(routingKey);

    public static bool IsTopicExchange(string type) => string.Equals(type, ExchangeTypes.Topic, StringComparison.Ordinal);

    private static string Expand(string pattern, string user, string vhost) =>
        pattern.Replace("{username}", user, StringComparison.Ordinal).Replace("{vhost}", vhost, StringComparison.Ordinal);
}
