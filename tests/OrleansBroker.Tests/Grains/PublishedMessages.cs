using System.Text;
using Orleans.Concurrency;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Tests.Grains;

/// <summary>Messages as a gateway hands them to queues (raw property bytes and their summary), with text bodies to tell them apart.</summary>
public static class PublishedMessages
{
    public static Message Transient(string body, string routingKey = "") => Create(body, routingKey, deliveryMode: 1);

    /// <summary>delivery_mode 2: a durable queue keeps it in the message store.</summary>
    public static Message Persistent(string body, string routingKey = "") => Create(body, routingKey, deliveryMode: 2);

    public static Immutable<Message[]> Batch(params Message[] messages) => new(messages);

    /// <summary>Transient messages with the bodies given, in one batch.</summary>
    public static Immutable<Message[]> TransientBatch(params string[] bodies) => Batch(bodies.Select(body => Transient(body)).ToArray());

    public static string BodyOf(Delivery delivery) => Encoding.UTF8.GetString(delivery.Message.Body.Span);

    public static string[] BodiesOf(IEnumerable<Delivery> deliveries) => deliveries.Select(BodyOf).ToArray();

    private static Message Create(string body, string routingKey, byte deliveryMode)
    {
        var properties = BasicPropertiesWriter.ToArray(new MessageProperties { ContentType = "text/plain", DeliveryMode = deliveryMode });
        return new Message("", routingKey, properties, BasicPropertiesReader.ReadSummary(properties), Encoding.UTF8.GetBytes(body));
    }
}
