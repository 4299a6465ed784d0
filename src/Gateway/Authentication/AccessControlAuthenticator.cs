using Orleans;
using OrleansBroker.Grains.Access;

namespace OrleansBroker.Gateway.Authentication;

/// <summary>Asks the cluster's user store (<see cref="IAccessControlGrain"/>).</summary>
public sealed class AccessControlAuthenticator(IGrainFactory grains) : IUserAuthenticator
{
    // Resolved at each use, not at construction: on a gateway-only node this is built (with Kestrel) before the cluster
    // client has the cluster's grain types.
    private IAccessControlGrain Store => AccessControlKeys.Get(grains);

    public ValueTask<UserRecord?> AuthenticateAsync(string userName, string password) => Store.Authenticate(userName, password);

    public ValueTask<ConnectionAccess> GetConnectionAccessAsync(string userName, string vhost) => Store.GetConnectionAccess(userName, vhost);
}
