using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;

namespace OrleansBroker.Gateway.Connections;

/// <summary>
/// The outbound side of one connection. Any thread (the connection's reader, or a queue's turn
/// delivering to a consumer) appends whole frames under a short per-connection lock; one writer
/// loop moves what accumulated to the socket and flushes once per batch. The buffer size is the
/// connection's backpressure signal: past <see cref="CongestionThreshold"/> consumers stop taking
/// deliveries until the loop has drained it.
/// </summary>
internal sealed class FrameOutput
{
    /// <summary>Bytes waiting above which deliveries are refused (consumers resume once drained).</summary>
    public const int CongestionThreshold = 1024 * 1024;

    private const int RetainedCapacity = 256 * 1024;

    private readonly object _gate = new();
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    // Start empty (they grow on first write): an idle connection should cost next to nothing.
    private ArrayBufferWriter<byte> _pending = new();
    private ArrayBufferWriter<byte> _spare = new();
    private bool _completed;
    private bool _congested;

    /// <summary>Raised on the writer loop when a congested buffer has drained.</summary>
    public event Action? Drained;

    /// <summary>Ticks of the last write (heartbeat bookkeeping).</summary>
    public long LastWriteTicks { get; private set; } = Environment.TickCount64;

    public bool IsCongested => Volatile.Read(ref _congested);

    /// <summary>Append frames. <paramref name="write"/> runs under the connection's output lock.</summary>
    public void Write<TState>(TState state, WriteFrames<TState> write)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            write(_pending, state);
            if (_pending.WrittenCount > CongestionThreshold)
            {
                _congested = true;
            }
        }

        _signal.Writer.TryWrite(true);
    }

    /// <summary>No more frames: the loop writes what is pending and ends.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
        }

        _signal.Writer.TryWrite(true);
    }

    public async Task RunAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                ArrayBufferWriter<byte> batch;
                bool completed;
                lock (_gate)
                {
                    batch = _pending;
                    completed = _completed;
                    if (batch.WrittenCount > 0)
                    {
                        _pending = _spare;
                        _spare = batch;
                    }
                }

                if (batch.WrittenCount > 0)
                {
                    output.Write(batch.WrittenSpan);
                    LastWriteTicks = Environment.TickCount64;
                    if (batch.Capacity > RetainedCapacity)
                    {
                        _spare = new ArrayBufferWriter<byte>();
                    }
                    else
                    {
                        batch.ResetWrittenCount();
                    }

                    var flush = await output.FlushAsync(cancellationToken);
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        return;
                    }

                    NoteDrained();
                    continue;
                }

                NoteDrained();
                if (completed)
                {
                    return;
                }

                if (!await _signal.Reader.WaitToReadAsync(cancellationToken))
                {
                    return;
                }

                _signal.Reader.TryRead(out _);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void NoteDrained()
    {
        bool wasCongested;
        lock (_gate)
        {
            wasCongested = _congested && _pending.WrittenCount <= CongestionThreshold / 2;
            if (wasCongested)
            {
                _congested = false;
            }
        }

        if (wasCongested)
        {
            Drained?.Invoke();
        }
    }
}

/// <summary>Writes frames into the connection's pending buffer.</summary>
internal delegate void WriteFrames<TState>(IBufferWriter<byte> output, TState state);
