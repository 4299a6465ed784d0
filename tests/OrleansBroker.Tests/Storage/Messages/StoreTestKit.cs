using System.Text;
using OrleansBroker.Grains.Storage;
using OrleansBroker.Silo.Storage.Messages;

namespace OrleansBroker.Tests.Storage.Messages;

/// <summary>Messages to store and ways to read them back, shared by the message store tests.</summary>
internal static class StoreTestKit
{
    /// <summary>A message whose properties and body are derived from its id, so each is distinct and checkable.</summary>
    public static StoredMessage Message(ulong id, int bodyLength = 32, string exchange = "amq.direct", string routingKey = "orders.created")
    {
        var properties = new byte[] { 0x90, 0x00, 0x0A }.Concat(Encoding.ASCII.GetBytes($"text/{id}")).ToArray();
        var body = new byte[bodyLength];
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = (byte)(id * 31 + (ulong)i * 7);
        }

        return new StoredMessage(id, exchange, routingKey, properties, body);
    }

    public static StoredMessage[] Batch(ulong firstId, int count, int bodyLength = 32) =>
        Enumerable.Range(0, count).Select(i => Message(firstId + (ulong)i, bodyLength)).ToArray();

    public static async Task<List<RecoveredMessage>> RecoverAll(SegmentMessageStore store, string queue)
    {
        var recovered = new List<RecoveredMessage>();
        await foreach (var message in store.RecoverAsync(queue))
        {
            recovered.Add(message);
        }

        return recovered;
    }

    public static async Task<ulong[]> RecoveredIds(SegmentMessageStore store, string queue) =>
        (await RecoverAll(store, queue)).Select(message => message.Message.Id).ToArray();

    public static Task<SegmentMessageStore> Open(string directory, SegmentMessageStoreOptions? options = null, RecordingLogger? logger = null) =>
        SegmentMessageStore.OpenAsync(directory, options, logger);

    /// <summary>Equal field by field, properties and body byte for byte.</summary>
    public static void AssertSame(StoredMessage expected, StoredMessage actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Exchange, actual.Exchange);
        Assert.Equal(expected.RoutingKey, actual.RoutingKey);
        Assert.Equal(expected.Properties.ToArray(), actual.Properties.ToArray());
        Assert.Equal(expected.Body.ToArray(), actual.Body.ToArray());
    }
}
