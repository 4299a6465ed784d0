using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OrleansBroker.Grains.Access;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Integration.Topology;
using Methods = OrleansBroker.Tests.Integration.Topology.Amqp;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using static OrleansBroker.Tests.Integration.Topology.TopologyAssert;

namespace OrleansBroker.Tests.Access;

/// <summary>
/// Users, vhosts and permissions over AMQP with RabbitMQ.Client. Every reply text was first taken from RabbitMQ 3.10.8
/// (the reference broker, the same users and permissions made through its management API).
/// </summary>
public sealed class AccessIntegrationTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private IAccessControlGrain Store => AccessControlKeys.Get(fixture.Host!.Services.GetRequiredService<IGrainFactory>());

    [Fact]
    public async Task A_new_user_logs_in_with_its_password_only()
    {
        var user = await NewUserAsync(UserPermission.Full);

        await using (var connection = await ConnectAsync(user, "pw"))
        {
            Assert.True(connection.IsOpen);
        }

        var refused = await Assert.ThrowsAsync<BrokerUnreachableException>(() => ConnectAsync(user, "wrong"));
        var failure = Assert.IsType<AuthenticationFailureException>(refused.InnerException);
        Assert.Equal("ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.", failure.Message);
    }

    [Fact]
    public async Task A_user_without_permissions_on_the_vhost_gets_530()
    {
        var user = await NewUserAsync(permission: null);

        var reason = await ConnectionRefusedAsync(() => ConnectAsync(user, "pw"));

        Assert.Equal(530, reason.ReplyCode);
        Assert.Equal($"NOT_ALLOWED - access to vhost '/' refused for user '{user}'", reason.ReplyText);
    }

    [Fact]
    public async Task An_unknown_vhost_gets_530()
    {
        var reason = await ConnectionRefusedAsync(() => ConnectAsync("guest", "guest", "no-such-vhost"));

        Assert.Equal(530, reason.ReplyCode);
        Assert.Equal("NOT_ALLOWED - vhost no-such-vhost not found", reason.ReplyText);
    }

    [Fact]
    public async Task Topology_methods_outside_the_permissions_are_403()
    {
        var user = await NewUserAsync((u, v) => new UserPermission(u, v, "^bob-", "^bob-", "^bob-"));
        var q = BrokerFixture.UniqueName("q");
        await using (var admin = await fixture.ConnectAsync())
        await using (var adminChannel = await admin.CreateChannelAsync())
        {
            await adminChannel.QueueDeclareAsync(q, durable: false, exclusive: false, autoDelete: true);
        }

        await using var connection = await ConnectAsync(user, "pw");
        string Refused(string resource) => $"ACCESS_REFUSED - access to {resource} in vhost '/' refused for user '{user}'";

        await RefusedAsync(connection, ch => ch.QueueDeclareAsync("q", false, false, true), Refused("queue 'q'"), Methods.QueueClass, Methods.QueueDeclare);
        await RefusedAsync(connection, ch => ch.ExchangeDeclareAsync("x", ExchangeType.Direct), Refused("exchange 'x'"), Methods.ExchangeClass, Methods.ExchangeDeclare);
        await RefusedAsync(connection, ch => ch.BasicGetAsync(q, autoAck: true), Refused($"queue '{q}'"), Methods.BasicClass, Methods.BasicGet);
        await RefusedAsync(connection, ch => ch.BasicConsumeAsync(q, true, new NoOpConsumer(ch)), Refused($"queue '{q}'"), Methods.BasicClass, Methods.BasicConsume);
        await RefusedAsync(connection, ch => ch.QueuePurgeAsync(q), Refused($"queue '{q}'"), Methods.QueueClass, Methods.QueuePurge);
        await RefusedAsync(connection, ch => ch.QueueDeleteAsync(q), Refused($"queue '{q}'"), Methods.QueueClass, Methods.QueueDelete);

        // A passive declare needs no permission in 3.10; deleting amq.* is refused before any check.
        await RefusedAsync(connection, ch => ch.QueueDeclarePassiveAsync("q-missing"), "NOT_FOUND - no queue 'q-missing' in vhost '/'", Methods.QueueClass, Methods.QueueDeclare, 404);
        await RefusedAsync(connection, ch => ch.ExchangeDeleteAsync("amq.direct"), "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed", Methods.ExchangeClass, Methods.ExchangeDelete);

        // A server-named queue is checked under the name it got.
        var channel = await connection.CreateChannelAsync();
        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.QueueDeclareAsync("", false, true, true));
        Assert.Matches($"^ACCESS_REFUSED - access to queue 'amq\\.gen-[A-Za-z0-9_-]{{22}}' in vhost '/' refused for user '{user}'$", ex.ShutdownReason!.ReplyText);

        // Within the permissions: declare, bind from an exchange it may read, publish to one it may write.
        await using var ok = await connection.CreateChannelAsync();
        await ok.QueueDeclareAsync("bob-q", false, false, true);
        await ok.ExchangeDeclareAsync("bob-x", ExchangeType.Topic, autoDelete: true);
        await ok.QueueBindAsync("bob-q", "bob-x", "#");
        await RefusedAsync(connection, ch => ch.QueueBindAsync("bob-q", "amq.topic", "k"), Refused("exchange 'amq.topic'"), Methods.QueueClass, Methods.QueueBind);
    }

    [Fact]
    public async Task Publish_needs_write_on_the_exchange_and_the_default_exchange_is_amq_default()
    {
        var user = await NewUserAsync((u, v) => new UserPermission(u, v, "^bob-", "^bob-", "^bob-"));
        await using var connection = await ConnectAsync(user, "pw");

        foreach (var (exchange, resource) in new[] { ("", "amq.default"), ("amq.direct", "amq.direct"), ("no-such-x", "no-such-x") })
        {
            var channel = await connection.CreateChannelAsync();
            var shutdown = ShutdownOf(channel);
            await channel.BasicPublishAsync(exchange, "bob-q", Encoding.UTF8.GetBytes("m"));
            AssertReason(await Within(shutdown, "channel close"), Methods.AccessRefused,
                $"ACCESS_REFUSED - access to exchange '{resource}' in vhost '/' refused for user '{user}'", Methods.BasicClass, Methods.BasicPublish);
        }
    }

    [Fact]
    public async Task Topic_permissions_limit_the_routing_keys_of_publishes_and_binds()
    {
        var user = await NewUserAsync(UserPermission.Full);
        var exchange = BrokerFixture.UniqueName("topics");
        Assert.Equal(AccessOutcome.Created, await Store.SetTopicPermission(new TopicPermission(user, "/", exchange, "^{username}\\.", "^r\\.")));
        await using var connection = await ConnectAsync(user, "pw");
        await using var setup = await connection.CreateChannelAsync();
        await setup.ExchangeDeclareAsync(exchange, ExchangeType.Topic, autoDelete: false);
        var queue = (await setup.QueueDeclareAsync("", false, true, true)).QueueName;
        await setup.QueueBindAsync(queue, exchange, "r.#");
        await PublishAsync(setup, exchange, $"{user}.ok", "allowed");

        await RefusedAsync(connection, ch => ch.QueueBindAsync(queue, exchange, "w.#"),
            $"ACCESS_REFUSED - access to topic 'w.#' in exchange '{exchange}' in vhost '/' refused for user '{user}'", Methods.QueueClass, Methods.QueueBind);
        var channel = await connection.CreateChannelAsync();
        var shutdown = ShutdownOf(channel);
        await channel.BasicPublishAsync(exchange, "other.key", Encoding.UTF8.GetBytes("m"));
        AssertReason(await Within(shutdown, "channel close"), Methods.AccessRefused,
            $"ACCESS_REFUSED - access to topic 'other.key' in exchange '{exchange}' in vhost '/' refused for user '{user}'", Methods.BasicClass, Methods.BasicPublish);
        await setup.ExchangeDeleteAsync(exchange);
    }

    [Fact]
    public async Task User_id_naming_another_user_needs_the_impersonator_tag()
    {
        var user = await NewUserAsync(UserPermission.Full);
        await using (var connection = await ConnectAsync(user, "pw"))
        {
            var channel = await connection.CreateChannelAsync();
            var shutdown = ShutdownOf(channel);
            await channel.BasicPublishAsync("", "nowhere", false, new BasicProperties { UserId = "someone" }, Encoding.UTF8.GetBytes("m"));
            AssertReason(await Within(shutdown, "channel close"), Methods.PreconditionFailed,
                $"PRECONDITION_FAILED - user_id property set to 'someone' but authenticated user was '{user}'", Methods.BasicClass, Methods.BasicPublish);
        }

        await Store.SetUserTags(user, [UserTags.Impersonator]);
        await using (var connection = await ConnectAsync(user, "pw"))
        await using (var channel = await ConnectionChannelAsync(connection))
        {
            var queue = (await channel.QueueDeclareAsync("", false, true, true)).QueueName;
            await channel.BasicPublishAsync("", queue, false, new BasicProperties { UserId = "someone" }, Encoding.UTF8.GetBytes("m"));
            var got = await channel.BasicGetAsync(queue, autoAck: true);
            Assert.Equal("someone", got?.BasicProperties.UserId);
        }
    }

    [Fact]
    public async Task A_created_vhost_has_its_own_exchanges_and_queues_and_its_deletion_closes_its_connections()
    {
        var vhost = BrokerFixture.UniqueName("vhost");
        Assert.Equal(AccessOutcome.Created, await Store.PutVirtualHost(VirtualHostRecord.Named(vhost)));
        Assert.Equal(AccessOutcome.Created, await Store.SetPermissions(UserPermission.Full("guest", vhost)));

        await using var connection = await ConnectAsync("guest", "guest", vhost);
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclarePassiveAsync("amq.topic");
        await channel.QueueDeclareAsync("shared-name", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync("shared-name", "amq.topic", "a.*");
        await PublishAsync(channel, "amq.topic", "a.b", "in the new vhost");
        Assert.Equal("in the new vhost", Encoding.UTF8.GetString((await channel.BasicGetAsync("shared-name", autoAck: true))!.Body.Span));

        await using (var root = await fixture.ConnectAsync())
        {
            await QueueMissingAsync(root, "shared-name");
        }

        var closed = ShutdownOf(connection);
        Assert.Equal(AccessOutcome.Done, await Store.DeleteVirtualHost(vhost));
        var reason = await Within(closed, "connection close");
        Assert.Equal(320, reason.ReplyCode);
        Assert.Equal($"CONNECTION_FORCED - vhost '{vhost}' is down", reason.ReplyText);

        var refused = await ConnectionRefusedAsync(() => ConnectAsync("guest", "guest", vhost));
        Assert.Equal($"NOT_ALLOWED - vhost {vhost} not found", refused.ReplyText);
    }

    private static async Task<IChannel> ConnectionChannelAsync(IConnection connection) => await connection.CreateChannelAsync();

    private static async Task RefusedAsync(IConnection connection, Func<IChannel, Task> action, string replyText, ushort classId, ushort methodId, ushort code = 403)
    {
        var channel = await connection.CreateChannelAsync();
        await ClosedWithAsync(() => action(channel), code, replyText, classId, methodId);
    }

    /// <summary>
    /// The connection.close a refused connection.open got: RabbitMQ.Client 7 throws it or hands back a connection
    /// already closed with it, depending on when the close arrives.
    /// </summary>
    private static async Task<ShutdownEventArgs> ConnectionRefusedAsync(Func<Task<IConnection>> connect)
    {
        Exception? error = null;
        try
        {
            await using var connection = await connect();
            var deadline = DateTime.UtcNow + WaitLimit;
            while (connection.IsOpen && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            return connection.CloseReason ?? throw new Xunit.Sdk.XunitException("connection.open was not refused");
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            error = e;
        }

        for (var inner = error; inner is not null; inner = inner.InnerException)
        {
            if (inner is OperationInterruptedException { ShutdownReason: { } reason })
            {
                return reason;
            }
        }

        throw new Xunit.Sdk.XunitException($"no connection.close in {error}");
    }

    private async Task<string> NewUserAsync(Func<string, string, UserPermission>? permission)
    {
        var user = BrokerFixture.UniqueName("user");
        Assert.Equal(AccessOutcome.Created, await Store.AddUser(UserRecord.WithPassword(user, "pw")));
        if (permission is not null)
        {
            Assert.Equal(AccessOutcome.Created, await Store.SetPermissions(permission(user, "/")));
        }

        return user;
    }

    private Task<IConnection> ConnectAsync(string user, string password, string vhost = "/")
    {
        var factory = fixture.CreateFactory();
        factory.UserName = user;
        factory.Password = password;
        factory.VirtualHost = vhost;
        return factory.CreateConnectionAsync("access-tests");
    }

    private sealed class NoOpConsumer(IChannel channel) : AsyncDefaultBasicConsumer(channel);
}
