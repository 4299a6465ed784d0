using OrleansBroker.Amqp;
using OrleansBroker.Client;
using OrleansBroker.Tests.Integration.Messaging;
using RabbitMQ.Client;
using static OrleansBroker.Tests.AppApi.AmqpQueueReads;

namespace OrleansBroker.Tests.AppApi;

/// <summary>An Orleans client app publishes through the app API; AMQP clients (RabbitMQ.Client) consume.</summary>
[Collection(AppApiCollection.Name)]
public sealed class PublishToAmqpTests(AppApiBroker broker)
{
    private static readonly MessageProperties EveryProperty = new()
    {
        ContentType = "application/json",
        ContentEncoding = "utf-8",
        Headers = new FieldTable([new("tenant", "acme"), new("attempt", 3)]),
        DeliveryMode = 2,
        Priority = 4,
        CorrelationId = "order-17",
        ReplyTo = "replies",
        Expiration = "60000",
        MessageId = "msg-1",
        Timestamp = new OrleansBroker.Amqp.AmqpTimestamp(1_700_000_000),
        Type = "order.created",
        AppId = "orleans-app",
    };

    [Fact]
    public async Task An_AMQP_consumer_receives_the_body_and_every_property_the_app_published()
    {
        await using var session = await broker.OpenSessionAsync();
        var exchange = AppApiBroker.UniqueName("orders");
        await session.DeclareExchangeAsync(exchange, "direct");
        await using var amqp = await broker.ConnectAmqpAsync();
        await using var channel = await amqp.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync(AppApiBroker.UniqueName("q"), durable: false, exclusive: true, autoDelete: false)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "created");
        var consumer = new CollectingConsumer(channel);
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);

        var outcome = await session.PublishAsync(exchange, "created", Utf8("{\"id\":17}"), EveryProperty);

        Assert.Equal(PublishOutcome.Routed, outcome);
        var delivery = await consumer.NextAsync();
        Assert.Equal(exchange, delivery.Exchange);
        Assert.Equal("created", delivery.RoutingKey);
        Assert.False(delivery.Redelivered);
        Assert.Equal("{\"id\":17}", Text(delivery.Body));
        var properties = delivery.Properties;
        Assert.Equal("application/json", properties.ContentType);
        Assert.Equal("utf-8", properties.ContentEncoding);
        Assert.Equal("acme", Text((byte[])properties.Headers!["tenant"]!));
        Assert.Equal(3, properties.Headers!["attempt"]);
        Assert.Equal(DeliveryModes.Persistent, properties.DeliveryMode);
        Assert.Equal(4, properties.Priority);
        Assert.Equal("order-17", properties.CorrelationId);
        Assert.Equal("replies", properties.ReplyTo);
        Assert.Equal("60000", properties.Expiration);
        Assert.Equal("msg-1", properties.MessageId);
        Assert.Equal(1_700_000_000, properties.Timestamp.UnixTime);
        Assert.Equal("order.created", properties.Type);
        Assert.Equal("orleans-app", properties.AppId);
    }

    [Fact]
    public async Task Properties_are_encoded_byte_for_byte_as_an_AMQP_client_encodes_them()
    {
        await using var session = await broker.OpenSessionAsync();
        var queue = (await session.DeclareQueueAsync(AppApiBroker.UniqueName("q"), exclusive: true)).Queue;
        await using var amqp = await broker.ConnectAmqpAsync();
        await using var channel = await amqp.CreateChannelAsync();
        var sent = new BasicProperties
        {
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            Headers = new Dictionary<string, object?> { ["tenant"] = Utf8("acme"), ["attempt"] = 3 },
            DeliveryMode = DeliveryModes.Persistent,
            Priority = 4,
            CorrelationId = "order-17",
            ReplyTo = "replies",
            Expiration = "60000",
            MessageId = "msg-1",
            Timestamp = new RabbitMQ.Client.AmqpTimestamp(1_700_000_000),
            Type = "order.created",
            AppId = "orleans-app",
        };

        // The broker keeps an AMQP client's properties as it sent them: the API must produce the same bytes.
        await channel.BasicPublishAsync(string.Empty, queue, mandatory: false, sent, Utf8("x"));
        await AppApiBroker.WaitForReadyAsync(session, queue, 1);
        var fromAmqp = await session.GetAsync(queue, autoAck: true);

        Assert.NotNull(fromAmqp);
        Assert.Equal(fromAmqp.RawProperties.ToArray(), Publication.Create(string.Empty, queue, Utf8("x"), EveryProperty).Properties.ToArray());
    }

    [Fact]
    public async Task A_batch_is_queued_in_order_and_reports_each_outcome()
    {
        await using var session = await broker.OpenSessionAsync();
        var queue = (await session.DeclareQueueAsync(AppApiBroker.UniqueName("q"))).Queue;
        var texts = Enumerable.Range(0, 20).Select(i => $"m{i}").ToArray();
        var batch = texts.Select(t => Publication.Create(string.Empty, queue, Utf8(t)))
            .Append(Publication.Create(string.Empty, AppApiBroker.UniqueName("nowhere"), Utf8("lost"), mandatory: true))
            .Append(Publication.Create(string.Empty, AppApiBroker.UniqueName("nowhere"), Utf8("lost")))
            .ToArray();

        var outcomes = await session.PublishBatchAsync(batch);

        Assert.Equal([.. Enumerable.Repeat(PublishOutcome.Routed, 20), PublishOutcome.Returned, PublishOutcome.Dropped], outcomes);
        await using var amqp = await broker.ConnectAmqpAsync();
        await using var channel = await amqp.CreateChannelAsync();
        Assert.Equal(texts, (await GetAllAsync(channel, queue)).Select(Text));
        await session.DeleteQueueAsync(queue);
    }

    [Fact]
    public async Task The_body_is_copied_at_publish()
    {
        await using var session = await broker.OpenSessionAsync();
        var queue = (await session.DeclareQueueAsync(AppApiBroker.UniqueName("q"), exclusive: true)).Queue;
        var buffer = Utf8("before");

        await session.PublishAsync(string.Empty, queue, buffer);
        Utf8("after!").CopyTo(buffer, 0);

        var message = await session.GetAsync(queue, autoAck: true);
        Assert.Equal("before", Text(message!.Body));
    }
}
