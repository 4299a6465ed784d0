using BenchmarkDotNet.Attributes;
using OrleansBroker.Gateway.Protocol;

namespace OrleansBroker.Microbenchmarks.Framing;

/// <summary>
/// A method frame's payload to a method, as the gateway does per frame: <see cref="MethodFrameReader.Read"/> for the
/// id, then the method's generated Decode. basic.publish and basic.ack are the two a publisher and a consumer send
/// per message.
/// </summary>
[MemoryDiagnoser]
public class MethodDecodingBenchmarks
{
    private byte[] _publish = [];
    private byte[] _ack = [];

    [GlobalSetup]
    public void Setup()
    {
        _publish = EncodedFrames.MethodPayload(SamplePublish.Method);
        _ack = EncodedFrames.MethodPayload(new BasicAck(DeliveryTag: 123_456, Multiple: false));
    }

    [Benchmark]
    public int DecodeBasicPublish()
    {
        var id = MethodFrameReader.Read(_publish, out var arguments);
        var publish = BasicPublish.Decode(arguments);
        return (int)id + publish.Exchange.Length + publish.RoutingKey.Length;
    }

    [Benchmark]
    public ulong DecodeBasicAck()
    {
        var id = MethodFrameReader.Read(_ack, out var arguments);
        var ack = BasicAck.Decode(arguments);
        return id + ack.DeliveryTag;
    }
}
