using Microsoft.Extensions.Options;

namespace OrleansBroker.Gateway.Authentication;

/// <summary>
/// One user and one virtual host from <see cref="GatewayOptions"/> (guest/guest on "/"), as a fresh
/// RabbitMQ has; the user-and-permission store of a later issue replaces it.
/// </summary>
public sealed class DefaultUserAuthenticator(IOptions<GatewayOptions> options) : IUserAuthenticator
{
    private readonly GatewayOptions _options = options.Value;

    public ValueTask<bool> AuthenticateAsync(string userName, string password) => ValueTask.FromResult(
        string.Equals(userName, _options.DefaultUser, StringComparison.Ordinal)
        && string.Equals(password, _options.DefaultPassword, StringComparison.Ordinal));

    public ValueTask<VirtualHostAccess> CheckVirtualHostAsync(string userName, string vhost) => ValueTask.FromResult(
        string.Equals(vhost, _options.DefaultVirtualHost, StringComparison.Ordinal) ? VirtualHostAccess.Allowed : VirtualHostAccess.NoSuchVirtualHost);
}
