using System.Buffers;
using BenchmarkDotNet.Attributes;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Channels;
using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Microbenchmarks.Framing;

/// <summary>
/// One delivery to a consumer as <see cref="DeliveryFrames{TMethod}"/> writes it: basic.deliver, the content header
/// with the publisher's property bytes, a 16-octet body. The output is reused (reset per operation), as a
/// connection's output buffer is, so only the writing is measured.
/// </summary>
[MemoryDiagnoser]
public class DeliveryWritingBenchmarks
{
    private const string ConsumerTag = "amq.ctag-b6Yx4q2cFh0m3Jr8LwUe9A";

    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private Message _persistentOnly = null!;
    private Message _typical = null!;
    private ulong _deliveryTag;

    [GlobalSetup]
    public void Setup()
    {
        _persistentOnly = CreateMessage(SampleProperties.PersistentOnly);
        _typical = CreateMessage(SampleProperties.Typical);
    }

    [Benchmark]
    public int WriteDeliver_PersistentOnly() => WriteDelivery(_persistentOnly);

    [Benchmark]
    public int WriteDeliver_TypicalProperties() => WriteDelivery(_typical);

    private int WriteDelivery(Message message)
    {
        _output.ResetWrittenCount();
        var deliver = new BasicDeliver(ConsumerTag, ++_deliveryTag, Redelivered: false, message.Exchange, message.RoutingKey);
        new DeliveryFrames<BasicDeliver>(EncodedFrames.Channel, deliver, message, EncodedFrames.FrameMax).Write(_output);
        return _output.WrittenCount;
    }

    private static Message CreateMessage(byte[] rawProperties) =>
        new(SamplePublish.Exchange, SamplePublish.RoutingKey, rawProperties, BasicPropertiesReader.ReadSummary(rawProperties), SamplePublish.Body);
}
