namespace OrleansBroker.Gateway.Authentication;

/// <summary>Checks a user name and password; the user store behind it belongs to the silo.</summary>
public interface IUserAuthenticator
{
    /// <summary>True when the credentials are valid.</summary>
    ValueTask<bool> AuthenticateAsync(string userName, string password);

    /// <summary>True when the user may open the virtual host; also whether the vhost exists.</summary>
    ValueTask<VirtualHostAccess> CheckVirtualHostAsync(string userName, string vhost);
}

public enum VirtualHostAccess
{
    Allowed,
    NoSuchVirtualHost,
    Refused,
}
