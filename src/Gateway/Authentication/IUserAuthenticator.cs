using OrleansBroker.Grains.Access;

namespace OrleansBroker.Gateway.Authentication;

/// <summary>The user store as the handshake asks it: once at start-ok, once at open.</summary>
public interface IUserAuthenticator
{
    /// <summary>The user when the credentials are valid; null otherwise.</summary>
    ValueTask<UserRecord?> AuthenticateAsync(string userName, string password);

    /// <summary>Whether the vhost exists and what the user may do in it.</summary>
    ValueTask<ConnectionAccess> GetConnectionAccessAsync(string userName, string vhost);
}
