namespace OrleansBroker.Grains.Access;

/// <summary>
/// The persistent user store: users, vhosts, permissions and topic permissions, as RabbitMQ's rabbit_user,
/// rabbit_vhost, rabbit_user_permission and rabbit_topic_permission tables hold them.
/// </summary>
public sealed class AccessControlState
{
    /// <summary>Set once the first start made the default user and vhost; they are never made again.</summary>
    public bool Initialized { get; set; }

    public Dictionary<string, UserRecord> Users { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, VirtualHostRecord> VirtualHosts { get; set; } = new(StringComparer.Ordinal);

    public List<UserPermission> Permissions { get; set; } = new();

    public List<TopicPermission> TopicPermissions { get; set; } = new();
}
