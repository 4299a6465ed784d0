using System.Text;

namespace OrleansBroker.Tests.Infrastructure.RawAmqp;

/// <summary>A basic.deliver with the body its content frames carried.</summary>
internal sealed record RawDelivery(string ConsumerTag, ulong DeliveryTag, bool Redelivered, string Exchange, string RoutingKey, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}
