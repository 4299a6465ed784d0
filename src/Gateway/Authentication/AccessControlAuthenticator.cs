using Orleans;
using OrleansBroker.Grains.Access;

namespace OrleansBroker.Gateway.Authentication;

/// <summary>Asks the cluster's user store (<see cref="IAccessControlGrain"/>).</summary>
public sealed class AccessControlAuthenticator(IGrainFactory grains) : IUserAuthenticator
{
    private readonly IAccessControlGrain _store = AccessControlKeys.Get(grains);

    public ValueTask<UserRecord?> AuthenticateAsync(string userName, string password) => _store.Authenticate(userName, password);

    public ValueTask<ConnectionAccess> GetConnectionAccessAsync(string userName, string vhost) => _store.GetConnectionAccess(userName, vhost);
}
