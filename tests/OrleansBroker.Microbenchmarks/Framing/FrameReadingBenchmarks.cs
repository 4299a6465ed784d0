using System.Buffers;
using BenchmarkDotNet.Attributes;
using OrleansBroker.Gateway.Protocol;

namespace OrleansBroker.Microbenchmarks.Framing;

/// <summary>
/// <see cref="FrameReader.TryReadFrame"/> cutting frames off a connection's input: 1,000 publishes (method, content
/// header with typical properties, 16-octet body), reported per frame. Once as one segment, once in 4 KiB segments
/// as a PipeReader delivers a larger read, where frames straddle segment boundaries.
/// </summary>
[MemoryDiagnoser]
public class FrameReadingBenchmarks
{
    private const int Publishes = 1_000;
    private const int Frames = Publishes * 3;

    private ReadOnlySequence<byte> _oneSegment;
    private ReadOnlySequence<byte> _fourKiBSegments;

    [GlobalSetup]
    public void Setup()
    {
        var bytes = EncodedFrames.Publishes(Publishes, SamplePublish.Method, SampleProperties.Typical, SamplePublish.Body);
        _oneSegment = new ReadOnlySequence<byte>(bytes);
        _fourKiBSegments = SegmentedBuffer.Split(bytes, 4096);
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public long TryReadFrame_OneSegment() => ReadAll(_oneSegment);

    [Benchmark(OperationsPerInvoke = Frames)]
    public long TryReadFrame_4KiBSegments() => ReadAll(_fourKiBSegments);

    private static long ReadAll(ReadOnlySequence<byte> buffer)
    {
        long payloadOctets = 0;
        var frames = 0;
        while (FrameReader.TryReadFrame(ref buffer, EncodedFrames.FrameMax, out var frame))
        {
            payloadOctets += frame.Payload.Length;
            frames++;
        }

        // A miscount would mean the benchmark measured something else; fail loudly instead.
        return frames == Frames ? payloadOctets : throw new InvalidOperationException($"read {frames} frames, expected {Frames}");
    }
}
