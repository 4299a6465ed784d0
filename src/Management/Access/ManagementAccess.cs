using Microsoft.Extensions.Options;
using OrleansBroker.Gateway;
using OrleansBroker.Gateway.Authentication;
using OrleansBroker.Management.Http;

namespace OrleansBroker.Management.Access;

/// <summary>
/// Users and virtual hosts as the management API sees them. Until users and virtual hosts are grain state, the broker
/// has the one user and one virtual host of <see cref="GatewayOptions"/>: the default user, tagged administrator, with
/// every permission on the default virtual host, as a fresh RabbitMQ has.
/// </summary>
public sealed class ManagementAccess(IUserAuthenticator authenticator, IOptions<GatewayOptions> options)
{
    private readonly GatewayOptions _options = options.Value;

    /// <summary>The user these credentials name, or null when they are wrong.</summary>
    public async ValueTask<ManagementUser?> AuthenticateAsync(string name, string password) =>
        await authenticator.AuthenticateAsync(name, password) is { } user ? new ManagementUser(name, user.Tags) : null;

    public IReadOnlyList<string> VirtualHosts() => [_options.DefaultVirtualHost];

    public bool VirtualHostExists(string vhost) => string.Equals(vhost, _options.DefaultVirtualHost, StringComparison.Ordinal);

    public IReadOnlyList<ManagementUser> Users() => [new ManagementUser(_options.DefaultUser, TagsOf(_options.DefaultUser))];

    /// <summary>(user, vhost, configure, write, read) for every permission.</summary>
    public IReadOnlyList<(string User, string VirtualHost, string Configure, string Write, string Read)> Permissions() =>
        [(_options.DefaultUser, _options.DefaultVirtualHost, ".*", ".*", ".*")];

    private IReadOnlyList<string> TagsOf(string name) =>
        string.Equals(name, _options.DefaultUser, StringComparison.Ordinal) ? ["administrator"] : [];
}
