using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Access;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Tests.Grains;

namespace OrleansBroker.Tests.Access;

/// <summary>The user store grain: first-start defaults, users, vhosts, permissions, topic permissions.</summary>
[Collection(OneSiloCluster.Collection)]
public sealed class AccessControlGrainTests(OneSiloCluster cluster)
{
    // A store of its own per test (the broker has one, key "broker").
    private readonly IAccessControlGrain _store = cluster.Client.GetGrain<IAccessControlGrain>(Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_first_start_makes_the_default_user_and_vhost_once()
    {
        await _store.EnsureDefaults("admin", "pw", "/first");

        var user = Assert.Single(await _store.ListUsers());
        Assert.Equal(["administrator"], user.Tags);
        Assert.Equal(PasswordHashing.Sha256, user.HashingAlgorithm);
        Assert.NotNull(await _store.Authenticate("admin", "pw"));
        Assert.Equal(UserPermission.Full("admin", "/first"), Assert.Single(await _store.ListPermissions(null, null)));
        Assert.Equal(["/first"], (await _store.ListVirtualHosts()).Select(v => v.Name));

        // Deleting the default user does not bring it back at the next start.
        Assert.Equal(AccessOutcome.Done, await _store.DeleteUser("admin"));
        await _store.EnsureDefaults("admin", "pw", "/first");
        Assert.Empty(await _store.ListUsers());
    }

    [Fact]
    public async Task Authenticate_checks_the_password_hash()
    {
        await _store.EnsureDefaults("admin", "pw", "/");
        Assert.Equal(AccessOutcome.Created, await _store.AddUser(UserRecord.WithPassword("bob", "secret", "monitoring")));
        Assert.Equal(AccessOutcome.AlreadyExists, await _store.AddUser(UserRecord.WithPassword("bob", "other")));

        Assert.Equal("bob", (await _store.Authenticate("bob", "secret"))?.Name);
        Assert.Null(await _store.Authenticate("bob", "other"));
        Assert.Null(await _store.Authenticate("nobody", "secret"));

        Assert.Equal(AccessOutcome.Done, await _store.SetPasswordHash("bob", string.Empty, PasswordHashing.Sha256));
        Assert.Null(await _store.Authenticate("bob", string.Empty));
        Assert.Equal(AccessOutcome.NoSuchUser, await _store.SetUserTags("nobody", []));
        Assert.Equal(AccessOutcome.Done, await _store.SetUserTags("bob", ["impersonator", "custom"]));
        Assert.Equal(["impersonator", "custom"], (await _store.GetUser("bob"))!.Tags);
    }

    [Fact]
    public async Task Permissions_need_the_user_the_vhost_and_valid_expressions()
    {
        await _store.EnsureDefaults("admin", "pw", "/");
        await _store.AddUser(UserRecord.WithPassword("bob", "secret"));

        Assert.Equal(AccessOutcome.NoSuchUser, await _store.SetPermissions(new UserPermission("nobody", "/", ".*", ".*", ".*")));
        Assert.Equal(AccessOutcome.NoSuchVirtualHost, await _store.SetPermissions(new UserPermission("bob", "/none", ".*", ".*", ".*")));
        Assert.Equal(AccessOutcome.InvalidRegex, await _store.SetPermissions(new UserPermission("bob", "/", "(", ".*", ".*")));
        Assert.Equal(AccessOutcome.Created, await _store.SetPermissions(new UserPermission("bob", "/", "^bob-", ".*", "")));
        Assert.Equal(AccessOutcome.Done, await _store.SetPermissions(new UserPermission("bob", "/", "^bob-.*", ".*", "")));
        Assert.Equal(AccessOutcome.Created, await _store.SetTopicPermission(new TopicPermission("bob", "/", "amq.topic", "^a\\.", "^b\\.")));

        var access = await _store.GetConnectionAccess("bob", "/");
        Assert.True(access.VirtualHostExists);
        Assert.Equal("^bob-.*", access.Permission?.Configure);
        Assert.Equal("amq.topic", Assert.Single(access.TopicPermissions).Exchange);

        Assert.Equal(AccessOutcome.Done, await _store.ClearPermissions("bob", "/"));
        Assert.Equal(AccessOutcome.NotFound, await _store.ClearPermissions("bob", "/"));
        Assert.Equal(AccessOutcome.Done, await _store.ClearTopicPermissions("bob", "/", exchange: null));
        access = await _store.GetConnectionAccess("bob", "/");
        Assert.Null(access.Permission);
        Assert.Empty(access.TopicPermissions);
        Assert.False((await _store.GetConnectionAccess("bob", "/none")).VirtualHostExists);
    }

    [Fact]
    public async Task Deleting_a_user_deletes_its_permissions()
    {
        await _store.EnsureDefaults("admin", "pw", "/");
        await _store.AddUser(UserRecord.WithPassword("bob", "secret"));
        await _store.SetPermissions(UserPermission.Full("bob", "/"));
        await _store.SetTopicPermission(new TopicPermission("bob", "/", "amq.topic", ".*", ".*"));

        Assert.Equal(AccessOutcome.Done, await _store.DeleteUser("bob"));
        Assert.Equal(AccessOutcome.NoSuchUser, await _store.DeleteUser("bob"));
        Assert.Empty(await _store.ListPermissions("bob", null));
        Assert.Empty(await _store.ListTopicPermissions("bob", null));
    }

    [Fact]
    public async Task A_vhost_is_made_with_its_exchanges_has_limits_and_is_deleted_with_everything_in_it()
    {
        var vhost = BrokerCluster.NewVirtualHost();
        await _store.EnsureDefaults("admin", "pw", "/");
        Assert.Equal(AccessOutcome.Created, await _store.PutVirtualHost(new VirtualHostRecord(vhost, "for tests", ["qa"], VirtualHostLimits.None)));
        Assert.Equal(AccessOutcome.Done, await _store.SetVirtualHostLimits(vhost, new VirtualHostLimits(10, null)));
        Assert.Equal(AccessOutcome.Done, await _store.PutVirtualHost(VirtualHostRecord.Named(vhost)));
        Assert.Equal(new VirtualHostLimits(10, null), (await _store.GetVirtualHost(vhost))?.Limits);
        Assert.Equal(AccessOutcome.NoSuchVirtualHost, await _store.SetVirtualHostLimits("/none", VirtualHostLimits.None));
        await _store.SetPermissions(UserPermission.Full("admin", vhost));

        var directory = cluster.Client.GetGrain<IVirtualHostGrain>(vhost);
        await directory.DeclareExchange(new ExchangeDeclaration("amq.topic", "topic", true, false, false, FieldTable.Empty), passive: true);
        await directory.DeclareQueue(new QueueDeclaration("q", true, false, false, FieldTable.Empty), passive: false, "c1", clientNode: null);

        Assert.Equal(AccessOutcome.Done, await _store.DeleteVirtualHost(vhost));
        Assert.Equal(AccessOutcome.NoSuchVirtualHost, await _store.DeleteVirtualHost(vhost));
        Assert.Empty(await _store.ListPermissions(null, vhost));
        Assert.Null(await _store.GetVirtualHost(vhost));

        // The directory starts afresh: the queue is gone.
        await BrokerExceptionAssert.RefusedAsync(ReplyCode.NotFound, $"NOT_FOUND - no queue 'q' in vhost '{vhost}'",
            () => directory.DeclareQueue(new QueueDeclaration("q", true, false, false, FieldTable.Empty), passive: true, "c1", clientNode: null));
    }
}
