using System.Buffers;
using System.IO.Pipelines;

namespace OrleansBroker.Gateway.Connections;

/// <summary>
/// The outbound side of one connection. Any thread (the connection's reader, or a queue's turn
/// delivering to a consumer) appends whole frames under a short per-connection lock. Whoever then
/// sends takes the pipe for itself, moves everything that accumulated to it and flushes once per
/// batch: the writing thread itself at the end of its <see cref="OutputBatch"/>, otherwise a thread-pool
/// work item. The buffer size is the connection's backpressure signal: past
/// <see cref="CongestionThreshold"/> consumers stop taking deliveries until it has drained.
/// </summary>
internal sealed class FrameOutput : IThreadPoolWorkItem
{
    /// <summary>Bytes waiting above which deliveries are refused (consumers resume once drained).</summary>
    public const int CongestionThreshold = 1024 * 1024;

    private const int RetainedCapacity = 256 * 1024;

    private readonly object _gate = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Start empty (they grow on first write): an idle connection should cost next to nothing.
    private ArrayBufferWriter<byte> _pending = new();
    private ArrayBufferWriter<byte> _spare = new();
    private PipeWriter? _output;
    private CancellationToken _cancellation;
    private bool _completed;
    private bool _congested;

    // Guarded by _gate. _sending: one thread owns the pipe. _sendRequested: a batch or a work item will send.
    private bool _sending;
    private bool _sendRequested;

    /// <summary>Raised on the sending thread when a congested buffer has drained.</summary>
    public event Action? Drained;

    /// <summary>Ticks of the last write (heartbeat bookkeeping).</summary>
    public long LastWriteTicks { get; private set; } = Environment.TickCount64;

    public bool IsCongested => Volatile.Read(ref _congested);

    /// <summary>Completes once the output has ended: completed and sent, or the pipe went away.</summary>
    public Task Done => _done.Task;

    /// <summary>Start sending to <paramref name="output"/>; frames written before wait for this.</summary>
    public void Start(PipeWriter output, CancellationToken cancellationToken)
    {
        bool pending;
        lock (_gate)
        {
            _output = output;
            _cancellation = cancellationToken;
            pending = _pending.WrittenCount > 0;
        }

        if (pending)
        {
            RequestSend();
        }
    }

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

            if (_sending || _sendRequested)
            {
                // The sender looks at the buffer again before it lets go of the pipe.
                return;
            }

            _sendRequested = true;
        }

        DispatchSend();
    }

    /// <summary>No more frames: what is pending is sent, then <see cref="Done"/> completes.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
        }

        RequestSend();
    }

    void IThreadPoolWorkItem.Execute() => SendPending();

    /// <summary>Send what is pending unless another thread is sending (it will send it).</summary>
    public void SendPending()
    {
        lock (_gate)
        {
            _sendRequested = false;
            if (_sending || _output is null)
            {
                return;
            }

            _sending = true;
        }

        var sending = SendAsync();
        if (!sending.IsCompleted)
        {
            // Backpressure: the rest runs when the flush completes; this thread goes on.
            _ = sending.AsTask();
        }
    }

    private void RequestSend()
    {
        lock (_gate)
        {
            if (_sending || _sendRequested)
            {
                return;
            }

            _sendRequested = true;
        }

        DispatchSend();
    }

    /// <summary>A send was requested: the batch open on this thread does it when it ends, else a thread-pool work item.</summary>
    private void DispatchSend()
    {
        if (!OutputBatch.TryEnlist(this))
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private async ValueTask SendAsync()
    {
        var output = _output!;
        try
        {
            while (true)
            {
                ArrayBufferWriter<byte> batch;
                lock (_gate)
                {
                    batch = _pending;
                    if (batch.WrittenCount == 0)
                    {
                        _sending = false;
                        if (_completed)
                        {
                            _done.TrySetResult();
                        }

                        break;
                    }

                    _pending = _spare;
                    _spare = batch;
                }

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

                var flush = output.FlushAsync(_cancellation);
                var result = flush.IsCompletedSuccessfully ? flush.Result : await flush;
                if (result.IsCompleted || result.IsCanceled)
                {
                    End();
                    return;
                }

                NoteDrained();
            }
        }
        catch (Exception)
        {
            // The socket went away or the connection is being torn down: nothing more can be sent.
            End();
            return;
        }

        NoteDrained();
    }

    /// <summary>The pipe is gone: drop what is pending and everything written later.</summary>
    private void End()
    {
        lock (_gate)
        {
            _completed = true;
            _pending.ResetWrittenCount();
        }

        _done.TrySetResult();
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
