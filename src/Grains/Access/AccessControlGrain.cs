using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using OrleansBroker.Grains.VirtualHosts;

namespace OrleansBroker.Grains.Access;

/// <summary>
/// The user store (see <see cref="IAccessControlGrain"/>). Every change is written before it answers; reads answer from
/// memory. Lists are small (RabbitMQ's tables are too), so permissions are kept as lists and scanned.
/// </summary>
[GrainType("access"), KeepAlive]
public sealed class AccessControlGrain : Grain, IAccessControlGrain
{
    private readonly IPersistentState<AccessControlState> _state;
    private readonly ILogger<AccessControlGrain> _logger;
    private readonly ObserverManager<IAccessObserver> _observers;

    public AccessControlGrain(
        [PersistentState("access", GrainStorageNames.Broker)] IPersistentState<AccessControlState> state,
        ILogger<AccessControlGrain> logger)
    {
        _state = state;
        _logger = logger;
        _observers = new ObserverManager<IAccessObserver>(AccessControlKeys.ObserverLifetime, logger);
    }

    private AccessControlState State => _state.State;

    public async ValueTask EnsureDefaults(string user, string password, string vhost)
    {
        if (!State.Initialized)
        {
            // RabbitMQ's first boot (rabbit_vhost / rabbit_auth_backend_internal seeding): the vhost, then the user with
            // the administrator tag and every permission on it.
            if (State.Users.Count == 0 && State.VirtualHosts.Count == 0)
            {
                State.VirtualHosts[vhost] = VirtualHostRecord.Named(vhost);
                State.Users[user] = UserRecord.WithPassword(user, password, UserTags.Administrator);
                State.Permissions.Add(UserPermission.Full(user, vhost));
                _logger.LogInformation("created the default user '{User}' and virtual host '{VirtualHost}'", user, vhost);
            }

            State.Initialized = true;
            await _state.WriteStateAsync();
        }
    }

    public ValueTask<UserRecord?> Authenticate(string user, string password) => ValueTask.FromResult(
        State.Users.TryGetValue(user, out var record) && PasswordHashing.Verify(password, record.PasswordHash, record.HashingAlgorithm) ? record : null);

    public ValueTask<ConnectionAccess> GetConnectionAccess(string user, string vhost)
    {
        var exists = State.VirtualHosts.ContainsKey(vhost);
        var permission = exists ? State.Permissions.Find(p => Is(p.User, user) && Is(p.VirtualHost, vhost)) : null;
        var topics = exists ? State.TopicPermissions.Where(p => Is(p.User, user) && Is(p.VirtualHost, vhost)).ToArray() : [];
        var tags = State.Users.TryGetValue(user, out var record) ? record.Tags : [];
        return ValueTask.FromResult(new ConnectionAccess(exists, permission, topics, tags));
    }

    public ValueTask<UserRecord[]> ListUsers() => ValueTask.FromResult(State.Users.Values.OrderBy(u => u.Name, StringComparer.Ordinal).ToArray());

    public ValueTask<UserRecord?> GetUser(string name) => ValueTask.FromResult(State.Users.GetValueOrDefault(name));

    public ValueTask<AccessOutcome> AddUser(UserRecord user) =>
        State.Users.ContainsKey(user.Name) ? ValueTask.FromResult(AccessOutcome.AlreadyExists) : PutUser(user);

    public async ValueTask<AccessOutcome> PutUser(UserRecord user)
    {
        var created = !State.Users.ContainsKey(user.Name);
        State.Users[user.Name] = user;
        await _state.WriteStateAsync();
        return created ? AccessOutcome.Created : AccessOutcome.Done;
    }

    public ValueTask<AccessOutcome> SetPasswordHash(string user, string passwordHash, string hashingAlgorithm) =>
        ChangeUser(user, u => u with { PasswordHash = passwordHash, HashingAlgorithm = hashingAlgorithm });

    public ValueTask<AccessOutcome> SetUserTags(string user, string[] tags) => ChangeUser(user, u => u with { Tags = tags });

    public async ValueTask<AccessOutcome> DeleteUser(string user)
    {
        if (!State.Users.Remove(user))
        {
            return AccessOutcome.NoSuchUser;
        }

        State.Permissions.RemoveAll(p => Is(p.User, user));
        State.TopicPermissions.RemoveAll(p => Is(p.User, user));
        await _state.WriteStateAsync();
        return AccessOutcome.Done;
    }

    public ValueTask<VirtualHostRecord[]> ListVirtualHosts() =>
        ValueTask.FromResult(State.VirtualHosts.Values.OrderBy(v => v.Name, StringComparer.Ordinal).ToArray());

    public ValueTask<VirtualHostRecord?> GetVirtualHost(string name) => ValueTask.FromResult(State.VirtualHosts.GetValueOrDefault(name));

    public async ValueTask<AccessOutcome> PutVirtualHost(VirtualHostRecord vhost)
    {
        if (State.VirtualHosts.TryGetValue(vhost.Name, out var existing))
        {
            State.VirtualHosts[vhost.Name] = vhost with { Limits = existing.Limits };
            await _state.WriteStateAsync();
            return AccessOutcome.Done;
        }

        State.VirtualHosts[vhost.Name] = vhost;
        await _state.WriteStateAsync();

        // Its first activation makes the amq.* exchanges, so they are there before add_vhost returns.
        await GrainFactory.GetGrain<IVirtualHostGrain>(vhost.Name).GetRoutingVersion();
        return AccessOutcome.Created;
    }

    public async ValueTask<AccessOutcome> DeleteVirtualHost(string name)
    {
        if (!State.VirtualHosts.Remove(name))
        {
            return AccessOutcome.NoSuchVirtualHost;
        }

        State.Permissions.RemoveAll(p => Is(p.VirtualHost, name));
        State.TopicPermissions.RemoveAll(p => Is(p.VirtualHost, name));
        await _state.WriteStateAsync();

        // Connections first (RabbitMQ closes them as the vhost's supervisor goes), then its queues and exchanges.
        await _observers.Notify(o => o.VirtualHostDeleted(name));
        await GrainFactory.GetGrain<IVirtualHostGrain>(name).Delete();
        _logger.LogInformation("deleted virtual host '{VirtualHost}'", name);
        return AccessOutcome.Done;
    }

    public async ValueTask<AccessOutcome> SetVirtualHostLimits(string vhost, VirtualHostLimits limits)
    {
        if (!State.VirtualHosts.TryGetValue(vhost, out var record))
        {
            return AccessOutcome.NoSuchVirtualHost;
        }

        State.VirtualHosts[vhost] = record with { Limits = limits };
        await _state.WriteStateAsync();
        return AccessOutcome.Done;
    }

    public ValueTask<UserPermission[]> ListPermissions(string? user, string? vhost) => ValueTask.FromResult(
        State.Permissions.Where(p => (user is null || Is(p.User, user)) && (vhost is null || Is(p.VirtualHost, vhost))).ToArray());

    public async ValueTask<AccessOutcome> SetPermissions(UserPermission permission)
    {
        var refusal = CheckUserAndVirtualHost(permission.User, permission.VirtualHost)
            ?? CheckRegexes(permission.Configure, permission.Write, permission.Read);
        if (refusal is { } outcome)
        {
            return outcome;
        }

        var index = State.Permissions.FindIndex(p => Is(p.User, permission.User) && Is(p.VirtualHost, permission.VirtualHost));
        if (index >= 0)
        {
            State.Permissions[index] = permission;
        }
        else
        {
            State.Permissions.Add(permission);
        }

        await _state.WriteStateAsync();
        return index >= 0 ? AccessOutcome.Done : AccessOutcome.Created;
    }

    public async ValueTask<AccessOutcome> ClearPermissions(string user, string vhost)
    {
        if (CheckUserAndVirtualHost(user, vhost) is { } refusal)
        {
            return refusal;
        }

        if (State.Permissions.RemoveAll(p => Is(p.User, user) && Is(p.VirtualHost, vhost)) == 0)
        {
            return AccessOutcome.NotFound;
        }

        await _state.WriteStateAsync();
        return AccessOutcome.Done;
    }

    public ValueTask<TopicPermission[]> ListTopicPermissions(string? user, string? vhost) => ValueTask.FromResult(
        State.TopicPermissions.Where(p => (user is null || Is(p.User, user)) && (vhost is null || Is(p.VirtualHost, vhost))).ToArray());

    public async ValueTask<AccessOutcome> SetTopicPermission(TopicPermission permission)
    {
        var refusal = CheckUserAndVirtualHost(permission.User, permission.VirtualHost) ?? CheckRegexes(permission.Write, permission.Read);
        if (refusal is { } outcome)
        {
            return outcome;
        }

        var index = State.TopicPermissions.FindIndex(p =>
            Is(p.User, permission.User) && Is(p.VirtualHost, permission.VirtualHost) && Is(p.Exchange, permission.Exchange));
        if (index >= 0)
        {
            State.TopicPermissions[index] = permission;
        }
        else
        {
            State.TopicPermissions.Add(permission);
        }

        await _state.WriteStateAsync();
        return index >= 0 ? AccessOutcome.Done : AccessOutcome.Created;
    }

    public async ValueTask<AccessOutcome> ClearTopicPermissions(string user, string vhost, string? exchange)
    {
        if (CheckUserAndVirtualHost(user, vhost) is { } refusal)
        {
            return refusal;
        }

        var removed = State.TopicPermissions.RemoveAll(p =>
            Is(p.User, user) && Is(p.VirtualHost, vhost) && (exchange is null || Is(p.Exchange, exchange)));
        if (removed == 0)
        {
            return AccessOutcome.NotFound;
        }

        await _state.WriteStateAsync();
        return AccessOutcome.Done;
    }

    public ValueTask Subscribe(IAccessObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return ValueTask.CompletedTask;
    }

    private static bool Is(string a, string b) => string.Equals(a, b, StringComparison.Ordinal);

    private async ValueTask<AccessOutcome> ChangeUser(string user, Func<UserRecord, UserRecord> change)
    {
        if (!State.Users.TryGetValue(user, out var record))
        {
            return AccessOutcome.NoSuchUser;
        }

        State.Users[user] = change(record);
        await _state.WriteStateAsync();
        return AccessOutcome.Done;
    }

    private AccessOutcome? CheckUserAndVirtualHost(string user, string vhost) =>
        !State.Users.ContainsKey(user) ? AccessOutcome.NoSuchUser
        : !State.VirtualHosts.ContainsKey(vhost) ? AccessOutcome.NoSuchVirtualHost
        : null;

    private static AccessOutcome? CheckRegexes(params string[] patterns)
    {
        foreach (var pattern in patterns)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException)
            {
                return AccessOutcome.InvalidRegex;
            }
        }

        return null;
    }
}
