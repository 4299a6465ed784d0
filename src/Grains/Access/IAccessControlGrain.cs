namespace OrleansBroker.Grains.Access;

/// <summary>
/// The broker's users, virtual hosts and permissions, cluster-wide and durable: one grain (key
/// <see cref="AccessControlKeys.Store"/>), as RabbitMQ keeps them in a few replicated tables. Gateways call it once per
/// connection (<see cref="Authenticate"/> at start-ok, <see cref="GetConnectionAccess"/> at open), never per message.
/// Users, vhosts and permissions are named by strings compared ordinally. Changes answer an <see cref="AccessOutcome"/>
/// rather than throwing; the callers (management API, CLI) word refusals as RabbitMQ does.
/// </summary>
[Alias("ob.IAccessControlGrain")]
public interface IAccessControlGrain : IGrainWithStringKey
{
    /// <summary>
    /// First start: when the store has never been initialised (no users and no vhosts ever), create the vhost and the
    /// user (tag administrator, full permissions on it), as RabbitMQ's default_user / default_pass / default_vhost.
    /// Every vhost the store knows exists afterwards. Idempotent: later calls change nothing.
    /// </summary>
    [Alias("EnsureDefaults")]
    ValueTask EnsureDefaults(string user, string password, string vhost);

    /// <summary>The user when the password is right; null otherwise (unknown user, wrong or no password).</summary>
    [Alias("Authenticate"), ReadOnly]
    ValueTask<UserRecord?> Authenticate(string user, string password);

    /// <summary>What a connection of this user to this vhost may do (see <see cref="ConnectionAccess"/>).</summary>
    [Alias("GetConnectionAccess"), ReadOnly]
    ValueTask<ConnectionAccess> GetConnectionAccess(string user, string vhost);

    // Users.

    [Alias("ListUsers"), ReadOnly]
    ValueTask<UserRecord[]> ListUsers();

    [Alias("GetUser"), ReadOnly]
    ValueTask<UserRecord?> GetUser(string name);

    /// <summary>Create the user (rabbitmqctl add_user): <see cref="AccessOutcome.AlreadyExists"/> when it is there.</summary>
    [Alias("AddUser")]
    ValueTask<AccessOutcome> AddUser(UserRecord user);

    /// <summary>Create or replace the user, hash, algorithm and tags (HTTP PUT /api/users/NAME, definitions import).</summary>
    [Alias("PutUser")]
    ValueTask<AccessOutcome> PutUser(UserRecord user);

    /// <summary>rabbitmqctl change_password (a fresh hash) / clear_password (empty hash): the tags stay.</summary>
    [Alias("SetPasswordHash")]
    ValueTask<AccessOutcome> SetPasswordHash(string user, string passwordHash, string hashingAlgorithm);

    /// <summary>rabbitmqctl set_user_tags: the user's tags become these.</summary>
    [Alias("SetUserTags")]
    ValueTask<AccessOutcome> SetUserTags(string user, string[] tags);

    /// <summary>Delete the user with its permissions and topic permissions everywhere.</summary>
    [Alias("DeleteUser")]
    ValueTask<AccessOutcome> DeleteUser(string user);

    // Virtual hosts.

    [Alias("ListVirtualHosts"), ReadOnly]
    ValueTask<VirtualHostRecord[]> ListVirtualHosts();

    [Alias("GetVirtualHost"), ReadOnly]
    ValueTask<VirtualHostRecord?> GetVirtualHost(string name);

    /// <summary>
    /// Create the vhost (rabbitmqctl add_vhost; its amq.* exchanges come with it) or, when it exists, update its
    /// description and tags (HTTP PUT /api/vhosts/NAME): <see cref="AccessOutcome.Created"/> or
    /// <see cref="AccessOutcome.Done"/>. Its limits stay as they are (see <see cref="SetVirtualHostLimits"/>).
    /// </summary>
    [Alias("PutVirtualHost")]
    ValueTask<AccessOutcome> PutVirtualHost(VirtualHostRecord vhost);

    /// <summary>
    /// Delete the vhost: its permissions and topic permissions, its exchanges and queues (with their messages), and
    /// every connection to it is closed with 320 CONNECTION_FORCED.
    /// </summary>
    [Alias("DeleteVirtualHost")]
    ValueTask<AccessOutcome> DeleteVirtualHost(string name);

    /// <summary>rabbitmqctl set_vhost_limits / clear_vhost_limits (<see cref="VirtualHostLimits.None"/>).</summary>
    [Alias("SetVirtualHostLimits")]
    ValueTask<AccessOutcome> SetVirtualHostLimits(string vhost, VirtualHostLimits limits);

    // Permissions.

    /// <summary>Every permission, or those of one user and/or one vhost (null: any).</summary>
    [Alias("ListPermissions"), ReadOnly]
    ValueTask<UserPermission[]> ListPermissions(string? user, string? vhost);

    /// <summary>rabbitmqctl set_permissions: needs the user and the vhost, and expressions that compile.</summary>
    [Alias("SetPermissions")]
    ValueTask<AccessOutcome> SetPermissions(UserPermission permission);

    [Alias("ClearPermissions")]
    ValueTask<AccessOutcome> ClearPermissions(string user, string vhost);

    /// <summary>Every topic permission, or those of one user and/or one vhost (null: any).</summary>
    [Alias("ListTopicPermissions"), ReadOnly]
    ValueTask<TopicPermission[]> ListTopicPermissions(string? user, string? vhost);

    /// <summary>rabbitmqctl set_topic_permissions (one per user, vhost and exchange).</summary>
    [Alias("SetTopicPermission")]
    ValueTask<AccessOutcome> SetTopicPermission(TopicPermission permission);

    /// <summary>rabbitmqctl clear_topic_permissions: of one exchange, or of every exchange when it is null.</summary>
    [Alias("ClearTopicPermissions")]
    ValueTask<AccessOutcome> ClearTopicPermissions(string user, string vhost, string? exchange);

    // Gateways.

    /// <summary>Hear of deleted vhosts for some time (subscribe again within <see cref="AccessControlKeys.ObserverLifetime"/>).</summary>
    [Alias("Subscribe")]
    ValueTask Subscribe(IAccessObserver observer);
}
