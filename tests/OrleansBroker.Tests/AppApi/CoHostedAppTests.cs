using Microsoft.Extensions.DependencyInjection;
using OrleansBroker.Client;
using OrleansBroker.Grains.Nodes;
using OrleansBroker.Tests.Integration.Messaging;
using RabbitMQ.Client;
using static OrleansBroker.Tests.AppApi.AmqpQueueReads;

namespace OrleansBroker.Tests.AppApi;

/// <summary>An app's grains in the broker's own silo (<see cref="RelayGrain"/>) publish and consume as a client app does.</summary>
[Collection(AppApiCollection.Name)]
public sealed class CoHostedAppTests(AppApiBroker broker)
{
    [Fact]
    public async Task The_app_grain_runs_in_the_broker_s_silo()
    {
        var grain = broker.Client.GetGrain<IRelayGrain>(AppApiBroker.UniqueName("relay"));

        var silo = await grain.GetSilo();

        Assert.Equal(broker.Broker.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress, silo);
    }

    [Fact]
    public async Task The_app_grain_s_session_is_named_after_its_silo_as_the_AMQP_gateway_names_its_connections()
    {
        var grain = broker.Client.GetGrain<IRelayGrain>(AppApiBroker.UniqueName("relay"));
        await using var clientSession = await broker.OpenSessionAsync();

        var sessionId = await grain.GetSessionId();

        // So if the node dies, its queues requeue what the grain's consumers held (see GatewayIds).
        Assert.True(GatewayIds.TryGetSilo(sessionId, out var silo), sessionId);
        Assert.Equal(await grain.GetSilo(), silo);
        Assert.False(GatewayIds.TryGetSilo(clientSession.Id, out _), clientSession.Id);
    }

    [Fact]
    public async Task A_grain_in_the_broker_s_silo_consumes_what_AMQP_publishes_and_publishes_what_AMQP_consumes()
    {
        await using var session = await broker.OpenSessionAsync();
        var inbox = (await session.DeclareQueueAsync(AppApiBroker.UniqueName("inbox"))).Queue;
        var outbox = (await session.DeclareQueueAsync(AppApiBroker.UniqueName("outbox"))).Queue;
        await using var amqp = await broker.ConnectAmqpAsync();
        await using var channel = await amqp.CreateChannelAsync();
        await channel.BasicPublishAsync(string.Empty, inbox, Utf8("m0"));
        await channel.BasicPublishAsync(string.Empty, inbox, Utf8("m1"));
        var grain = broker.Client.GetGrain<IRelayGrain>(AppApiBroker.UniqueName("relay"));

        Assert.Equal(["m0", "m1"], await grain.Take(inbox, 2));
        Assert.Equal(PublishOutcome.Routed, await grain.Publish(string.Empty, outbox, "from the grain"));

        Assert.Equal(["from the grain"], (await GetAllAsync(channel, outbox)).Select(Text));
        Assert.Empty(await GetAllAsync(channel, inbox));
        await session.DeleteQueueAsync(inbox);
        await session.DeleteQueueAsync(outbox);
    }

    [Fact]
    public async Task A_grain_relays_from_an_AMQP_publisher_to_an_AMQP_consumer_keeping_the_properties()
    {
        await using var session = await broker.OpenSessionAsync();
        var source = (await session.DeclareQueueAsync(AppApiBroker.UniqueName("source"))).Queue;
        var destination = (await session.DeclareQueueAsync(AppApiBroker.UniqueName("destination"))).Queue;
        await using var amqp = await broker.ConnectAmqpAsync();
        await using var channel = await amqp.CreateChannelAsync();
        var consumer = new CollectingConsumer(channel);
        await channel.BasicConsumeAsync(destination, autoAck: true, consumer);
        var grain = broker.Client.GetGrain<IRelayGrain>(AppApiBroker.UniqueName("relay"));
        await grain.StartRelay(source, string.Empty, destination);

        await channel.BasicPublishAsync(string.Empty, source, mandatory: false, new BasicProperties { CorrelationId = "c-1", ReplyTo = "replies" }, Utf8("relayed"));

        var delivery = await consumer.NextAsync();
        Assert.Equal("relayed", Text(delivery.Body));
        Assert.Contains("relayed", broker.Broker.Services.GetRequiredService<RelayedMessages>().Bodies);
        Assert.Equal("c-1", delivery.Properties.CorrelationId);
        Assert.Equal("replies", delivery.Properties.ReplyTo);
        await session.DeleteQueueAsync(source);
        await session.DeleteQueueAsync(destination);
    }
}
