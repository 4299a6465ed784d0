using RabbitMQ.Client;

namespace OrleansBroker.Tests.Protocol;

/// <summary>Bytes as RabbitMQ.Client 7 writes them, through its public IAmqpWriteable.</summary>
internal static class RabbitMqClientEncoding
{
    /// <summary>The property flags and list of a content header, as the client would publish them.</summary>
    public static byte[] Properties(BasicProperties properties)
    {
        var writeable = (IAmqpWriteable)properties;
        var buffer = new byte[writeable.GetRequiredBufferSize()];
        var written = writeable.WriteTo(buffer);
        return buffer[..written];
    }
}
