using OrleansBroker.Grains.Access;
using OrleansBroker.Management.Http;

namespace OrleansBroker.Management.Access;

/// <summary>
/// Users, virtual hosts and permissions for the management API: the broker's user store (<see cref="IAccessControlGrain"/>,
/// which the node's start fills with the default user and virtual host).
/// </summary>
public sealed class ManagementAccess(IGrainFactory grains)
{
    public IAccessControlGrain Store => AccessControlKeys.Get(grains);

    /// <summary>The user these credentials name, or null when they are wrong.</summary>
    public async ValueTask<ManagementUser?> AuthenticateAsync(string name, string password)
    {
        var user = await Store.Authenticate(name, password);
        return user is null ? null : new ManagementUser(user.Name, user.Tags);
    }

    public async Task<IReadOnlyList<string>> VirtualHostsAsync() =>
        (await Store.ListVirtualHosts()).Select(v => v.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The vhosts a user sees objects of: an administrator every one, anyone else those it has permissions on (as
    /// rabbit_mgmt_util filters listings).
    /// </summary>
    public async Task<IReadOnlyList<string>> VisibleVirtualHostsAsync(ManagementUser user)
    {
        var all = await VirtualHostsAsync();
        if (user.IsAdministrator)
        {
            return all;
        }

        var permitted = (await Store.ListPermissions(user.Name, null)).Select(p => p.VirtualHost).ToHashSet(StringComparer.Ordinal);
        return all.Where(permitted.Contains).ToList();
    }
}
