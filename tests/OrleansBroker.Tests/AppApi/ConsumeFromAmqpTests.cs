using OrleansBroker.Amqp;
using OrleansBroker.Client;
using OrleansBroker.Tests.Integration.Messaging;
using RabbitMQ.Client;
using static OrleansBroker.Tests.AppApi.AmqpQueueReads;

namespace OrleansBroker.Tests.AppApi;

/// <summary>AMQP clients (RabbitMQ.Client) publish; an Orleans client app consumes through the app API.</summary>
[Collection(AppApiCollection.Name)]
public sealed class ConsumeFromAmqpTests(AppApiBroker broker)
{
    [Fact]
    public async Task An_observer_receives_what_an_AMQP_client_published_with_its_properties()
    {
        await using var session = await broker.OpenSessionAsync();
        var queue = (await session.DeclareQueueAsync(AppApiBroker.UniqueName("q"), exclusive: true)).Queue;
        var observer = new RecordingObserver { OnDelivery = m => m.AckAsync() };
        await using var consumer = await session.ConsumeAsync(queue, observer);
        await using var amqp = await broker.ConnectAmqpAsync();
        await using var channel = await amqp.CreateChannelAsync();

        var properties = new BasicProperties
        {
            ContentType = "text/plain",
            Headers = new Dictionary<string, object?> { ["tenant"] = "acme", ["attempt"] = 2 },
            DeliveryMode = DeliveryModes.Persistent,
            CorrelationId = "c-9",
            ReplyTo = "amq.gen-reply",
            MessageId = "m-9",
        };
        await channel.BasicPublishAsync(string.Empty, queue, mandatory: false, properties, Utf8("hello from AMQP"));

        var message = Assert.Single(await observer.TakeAsync(1));
        Assert.Equal(string.Empty, message.Exchange);
        Assert.Equal(queue, message.RoutingKey);
        Assert.Equal(queue, message.Queue);
        Assert.Equal(consumer.ConsumerTag, message.ConsumerTag);
        Assert.False(message.Redelivered);
        Assert.Equal("hello from AMQP", Text(message.Body));
        Assert.Equal("text/plain", message.Properties.ContentType);
        Assert.Equal((byte)2, message.Properties.DeliveryMode);
        Assert.Equal("c-9", message.Properties.CorrelationId);
        Assert.Equal("amq.gen-reply", message.Properties.ReplyTo);
        Assert.Equal("m-9", message.Properties.MessageId);
        Assert.Equal("acme", message.Properties.Headers!.GetString("tenant"));
        Assert.True(message.Properties.Headers.TryGetInt64("attempt", out var attempt) && attempt == 2);
    }

    [Fact]
    public async Task A_stream_yields_the_messages_in_the_order_they_were_published()
    {
        await using var session = await broker.OpenSessionAsync();
        var queue = (await session.DeclareQueueAsync(AppApiBroker.UniqueName("q"), exclusive: true)).Queue;
        await using var amqp = await broker.ConnectAmqpAsync();
        await using var channel = await amqp.CreateChannelAsync();
        var texts = Enumerable.Range(0, 50).Select(i => $"m{i}").ToArray();
        foreach (var text in texts)
        {
            await channel.BasicPublishAsync(string.Empty, queue, Utf8(text));
        }

        var received = new List<string>();
        using var timeout = new CancellationTokenSource(AppApiBroker.Timeout);
        await foreach (var message in session.Consume(queue, new ConsumeOptions { Prefetch = 8 }, timeout.Token))
        {
            received.Add(Text(message.Body));
            await message.AckAsync();
            if (received.Count == texts.Length)
            {
                break;
            }
        }

        Assert.Equal(texts, received);
        Assert.Null(await session.GetAsync(queue, autoAck: true));
    }

    [Fact]
    public async Task Get_takes_the_next_ready_message()
    {
        await using var session = await broker.OpenSessionAsync();
        var queue = (await session.DeclareQueueAsync(AppApiBroker.UniqueName("q"), exclusive: true)).Queue;
        await using var amqp = await broker.ConnectAmqpAsync();
        await using var channel = await amqp.CreateChannelAsync();
        await channel.BasicPublishAsync(string.Empty, queue, Utf8("first"));
        await channel.BasicPublishAsync(string.Empty, queue, Utf8("second"));
        await AppApiBroker.WaitForReadyAsync(session, queue, 2);

        var first = await session.GetAsync(queue);
        await first!.AckAsync();
        var second = await session.GetAsync(queue);
        await second!.AckAsync();

        Assert.Equal(["first", "second"], [Text(first.Body), Text(second.Body)]);
        Assert.Equal(string.Empty, first.ConsumerTag);
        Assert.Null(await session.GetAsync(queue));
    }

    [Fact]
    public async Task The_queue_serves_an_app_consumer_and_an_AMQP_consumer_round_robin()
    {
        await using var session = await broker.OpenSessionAsync();
        var queue = (await session.DeclareQueueAsync(AppApiBroker.UniqueName("q"))).Queue;
        var observer = new RecordingObserver { OnDelivery = m => m.AckAsync() };
        await using var appConsumer = await session.ConsumeAsync(queue, observer, new ConsumeOptions { Prefetch = 20 });
        await using var amqp = await broker.ConnectAmqpAsync();
        await using var channel = await amqp.CreateChannelAsync();
        var amqpConsumer = new CollectingConsumer(channel);
        await channel.BasicQosAsync(0, 20, global: false);
        await channel.BasicConsumeAsync(queue, autoAck: true, amqpConsumer);

        var texts = Enumerable.Range(0, 10).Select(i => $"m{i}").ToArray();
        await session.PublishBatchAsync(texts.Select(t => Publication.Create(string.Empty, queue, Utf8(t))).ToArray());

        // The app's consumer came first: it gets the first message, then every other one.
        Assert.Equal(["m0", "m2", "m4", "m6", "m8"], (await observer.TakeAsync(5)).Select(m => Text(m.Body)));
        Assert.Equal(["m1", "m3", "m5", "m7", "m9"], (await amqpConsumer.TakeAsync(5)).Select(d => Text(d.Body)));
        Assert.Equal(2u, (await session.InspectQueueAsync(queue)).ConsumerCount);
        await session.DeleteQueueAsync(queue);
    }
}
