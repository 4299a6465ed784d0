using System.Text;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.AppApi;

/// <summary>What an AMQP client reads from a queue with basic.get, for tests to compare with what the app API did.</summary>
internal static class AmqpQueueReads
{
    /// <summary>Every ready message of the queue, in order, taken with auto-ack.</summary>
    public static async Task<List<BasicGetResult>> GetAllAsync(IChannel channel, string queue)
    {
        var taken = new List<BasicGetResult>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } result)
        {
            taken.Add(result);
        }

        return taken;
    }

    public static string Text(BasicGetResult result) => Encoding.UTF8.GetString(result.Body.Span);

    public static string Text(ReadOnlyMemory<byte> body) => Encoding.UTF8.GetString(body.Span);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
