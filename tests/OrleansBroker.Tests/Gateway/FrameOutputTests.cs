using System.Buffers;
using System.IO.Pipelines;
using OrleansBroker.Gateway.Connections;

namespace OrleansBroker.Tests.Gateway;

/// <summary>
/// A connection's outbound side: frames written inside an <see cref="OutputBatch"/> leave when it ends, on that
/// thread, in one write; frames written outside one leave through the thread pool; order is kept either way.
/// </summary>
public sealed class FrameOutputTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Frames_written_in_a_batch_are_sent_when_it_ends_on_that_thread_in_one_write()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var output = new FrameOutput();
        output.Start(pipe.Writer, CancellationToken.None);

        OutputBatch.Begin();
        try
        {
            output.Write((byte)1, WriteByte);
            output.Write((byte)2, WriteByte);
            output.Write((byte)3, WriteByte);
            Assert.False(pipe.Reader.TryRead(out _));
        }
        finally
        {
            OutputBatch.End();
        }

        // Sent synchronously by End: readable at once, all three together.
        Assert.True(pipe.Reader.TryRead(out var result));
        Assert.Equal(new byte[] { 1, 2, 3 }, result.Buffer.ToArray());
        pipe.Reader.AdvanceTo(result.Buffer.End);
    }

    [Fact]
    public async Task Frames_written_outside_a_batch_are_sent_by_the_thread_pool()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var output = new FrameOutput();
        output.Start(pipe.Writer, CancellationToken.None);

        output.Write((byte)7, WriteByte);

        var received = await ReadAsync(pipe.Reader, 1);
        Assert.Equal(new byte[] { 7 }, received);
    }

    [Fact]
    public async Task Order_is_kept_across_batches_threads_and_a_slow_reader()
    {
        // A small pause threshold makes sends wait for the reader (backpressure) while more frames arrive.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64, resumeWriterThreshold: 32, useSynchronizationContext: false));
        var output = new FrameOutput();
        output.Start(pipe.Writer, CancellationToken.None);
        const int Count = 2000;

        var writer = Task.Run(() =>
        {
            for (var i = 0; i < Count; i++)
            {
                var inBatch = i % 3 != 0;
                if (inBatch)
                {
                    OutputBatch.Begin();
                }

                output.Write(i, static (buffer, value) => buffer.Write(BitConverter.GetBytes(value)));
                if (inBatch)
                {
                    OutputBatch.End();
                }
            }
        });

        var received = await ReadAsync(pipe.Reader, Count * sizeof(int));
        await writer;
        var values = Enumerable.Range(0, Count).Select(i => BitConverter.ToInt32(received, i * sizeof(int)));
        Assert.Equal(Enumerable.Range(0, Count), values);
    }

    [Fact]
    public async Task Complete_sends_what_is_pending_then_done_completes_and_later_writes_are_dropped()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var output = new FrameOutput();
        output.Write((byte)1, WriteByte);

        // Written before the output has its pipe: kept until Start.
        output.Start(pipe.Writer, CancellationToken.None);
        output.Complete();
        await output.Done.WaitAsync(Timeout);
        output.Write((byte)2, WriteByte);

        Assert.True(pipe.Reader.TryRead(out var result));
        Assert.Equal(new byte[] { 1 }, result.Buffer.ToArray());
    }

    [Fact]
    public async Task A_congested_output_reports_drained_once_the_reader_has_caught_up()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
        var output = new FrameOutput();
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        output.Drained += () => drained.TrySetResult();
        output.Start(pipe.Writer, CancellationToken.None);

        var chunk = new byte[64 * 1024];
        OutputBatch.Begin();
        try
        {
            for (var written = 0; written <= FrameOutput.CongestionThreshold; written += chunk.Length)
            {
                output.Write(chunk, static (buffer, bytes) => buffer.Write(bytes));
            }

            Assert.True(output.IsCongested);
        }
        finally
        {
            OutputBatch.End();
        }

        Assert.False(drained.Task.IsCompleted);
        await ReadAsync(pipe.Reader, FrameOutput.CongestionThreshold + chunk.Length);
        await drained.Task.WaitAsync(Timeout);
        Assert.False(output.IsCongested);
    }

    private static void WriteByte(IBufferWriter<byte> buffer, byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    private static async Task<byte[]> ReadAsync(PipeReader reader, int length)
    {
        var received = new List<byte>(length);
        using var timeout = new CancellationTokenSource(Timeout);
        while (received.Count < length)
        {
            var result = await reader.ReadAsync(timeout.Token);
            received.AddRange(result.Buffer.ToArray());
            reader.AdvanceTo(result.Buffer.End);
        }

        return [.. received];
    }
}
