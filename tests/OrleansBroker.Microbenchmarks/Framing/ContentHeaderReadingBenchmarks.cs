using BenchmarkDotNet.Attributes;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Protocol;

namespace OrleansBroker.Microbenchmarks.Framing;

/// <summary>
/// A content header's payload as publish reads it: <see cref="ContentHeaderReader.Read(ReadOnlySpan{byte}, out ushort, out ulong, out ReadOnlySpan{byte})"/>
/// splits it, <see cref="BasicPropertiesReader.ReadSummary"/> reads the few properties the broker acts on. Also
/// <see cref="BasicPropertiesReader.ReadHeaders"/>, which a message pays once when a headers exchange routes it.
/// </summary>
[MemoryDiagnoser]
public class ContentHeaderReadingBenchmarks
{
    private byte[] _persistentOnly = [];
    private byte[] _typical = [];

    [GlobalSetup]
    public void Setup()
    {
        _persistentOnly = EncodedFrames.ContentHeaderPayload((ulong)SamplePublish.Body.Length, SampleProperties.PersistentOnly);
        _typical = EncodedFrames.ContentHeaderPayload((ulong)SamplePublish.Body.Length, SampleProperties.Typical);
    }

    [Benchmark]
    public int ReadSummary_PersistentOnly() => ReadSummary(_persistentOnly);

    [Benchmark]
    public int ReadSummary_TypicalProperties() => ReadSummary(_typical);

    [Benchmark]
    public int ReadHeaders_TypicalProperties()
    {
        ContentHeaderReader.Read(_typical, out _, out _, out var rawProperties);
        return BasicPropertiesReader.ReadHeaders(rawProperties).Count;
    }

    private static int ReadSummary(ReadOnlySpan<byte> payload)
    {
        ContentHeaderReader.Read(payload, out var classId, out var bodySize, out var rawProperties);
        var summary = BasicPropertiesReader.ReadSummary(rawProperties);
        return classId + (int)bodySize + summary.DeliveryMode + (summary.HasHeaders ? 1 : 0);
    }
}
