using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Tests.Grains;

/// <summary>What a channel hands a queue grain: consumer registrations (basic.consume), settlements and credit grants.</summary>
public static class ChannelRequests
{
    public static ConsumerRegistration Registration(string channel, string tag, int credit, bool noAck = false, bool exclusive = false) =>
        new(channel, tag, noAck, exclusive, FieldTable.Empty, credit);

    public static SettlementBatch Grant(string channel, string tag, long sequence, long received, int credit) =>
        new(channel, [], [new CreditGrant(tag, sequence, received, credit)]);

    public static SettlementBatch Settle(string channel, SettlementKind kind, params Delivery[] deliveries) =>
        new(channel, deliveries.Select(delivery => new Settlement(delivery.MessageId, kind)).ToArray(), []);
}
