using Microsoft.Extensions.DependencyInjection;
using OrleansBroker.Amqp;
using OrleansBroker.Client;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Nodes;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrleansBroker.Tests.AppApi;

/// <summary>Sessions: the virtual host, topology through the API as AMQP sees it, exclusive queues, RabbitMQ's refusals.</summary>
[Collection(AppApiCollection.Name)]
public sealed class SessionTests(AppApiBroker broker)
{
    [Fact]
    public async Task A_virtual_host_the_broker_does_not_have_is_refused()
    {
        var refusal = await Assert.ThrowsAsync<BrokerException>(() => BrokerSession.OpenAsync(broker.Client, "no-such-vhost"));

        Assert.Equal(ReplyCode.NotAllowed, refusal.Code);
        Assert.Equal("NOT_ALLOWED - vhost no-such-vhost not found", refusal.ReplyText);
    }

    [Fact]
    public async Task The_session_names_the_node_it_reached()
    {
        await using var session = await broker.OpenSessionAsync();

        Assert.Equal(broker.Broker.Services.GetRequiredService<ClusterNodes>().LocalName, session.Node);
        Assert.Equal("/", session.VirtualHost);
    }

    [Fact]
    public async Task Exchanges_and_queues_declared_through_the_API_are_the_ones_AMQP_sees()
    {
        await using var session = await broker.OpenSessionAsync();
        var exchange = AppApiBroker.UniqueName("x");
        await session.DeclareExchangeAsync(exchange, "topic", durable: true);
        var queue = (await session.DeclareQueueAsync(string.Empty)).Queue;
        await using var amqp = await broker.ConnectAmqpAsync();
        await using var channel = await amqp.CreateChannelAsync();

        await channel.ExchangeDeclareAsync(exchange, "topic", durable: true);
        var declared = await channel.QueueDeclarePassiveAsync(queue);

        Assert.StartsWith("amq.gen-", queue);
        Assert.Equal(queue, declared.QueueName);
        Assert.True(await session.ExchangeExistsAsync(exchange));
        await session.DeleteExchangeAsync(exchange);
        Assert.False(await session.ExchangeExistsAsync(exchange));
        Assert.Equal(0u, await session.DeleteQueueAsync(queue));
    }

    [Fact]
    public async Task A_redeclaration_that_differs_is_refused_as_over_AMQP()
    {
        await using var session = await broker.OpenSessionAsync();
        await using var amqp = await broker.ConnectAmqpAsync();
        await using var channel = await amqp.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync(AppApiBroker.UniqueName("q"), durable: true, exclusive: false, autoDelete: false)).QueueName;

        var refusal = await Assert.ThrowsAsync<BrokerException>(() => session.DeclareQueueAsync(queue, durable: false));

        Assert.Equal(ReplyCode.PreconditionFailed, refusal.Code);
        Assert.Equal($"PRECONDITION_FAILED - inequivalent arg 'durable' for queue '{queue}' in vhost '/': received 'false' but current is 'true'", refusal.ReplyText);
        Assert.Equal(queue, (await session.DeclareQueueAsync(queue, durable: true)).Queue);
        await session.DeleteQueueAsync(queue);
    }

    [Fact]
    public async Task An_exclusive_queue_is_the_session_s_own_and_goes_with_it()
    {
        var session = await broker.OpenSessionAsync();
        var queue = (await session.DeclareQueueAsync(AppApiBroker.UniqueName("mine"), exclusive: true)).Queue;
        await using var amqp = await broker.ConnectAmqpAsync();

        var locked = await Assert.ThrowsAsync<OperationInterruptedException>(async () =>
        {
            await using var channel = await amqp.CreateChannelAsync();
            await channel.QueueDeclarePassiveAsync(queue);
        });
        Assert.Equal(Constants.ResourceLocked, locked.ShutdownReason!.ReplyCode);
        await session.PublishAsync(string.Empty, queue, AmqpQueueReads.Utf8("m"));
        Assert.Equal(1u, (await session.InspectQueueAsync(queue)).MessageCount);

        await session.DisposeAsync();

        var gone = await Assert.ThrowsAsync<OperationInterruptedException>(async () =>
        {
            await using var channel = await amqp.CreateChannelAsync();
            await channel.QueueDeclarePassiveAsync(queue);
        });
        Assert.Equal(Constants.NotFound, gone.ShutdownReason!.ReplyCode);
    }

    [Fact]
    public async Task A_disposed_session_refuses_work()
    {
        var session = await broker.OpenSessionAsync();
        await session.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => session.PublishAsync(string.Empty, "q", AmqpQueueReads.Utf8("m")));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => session.DeclareQueueAsync());
    }
}
