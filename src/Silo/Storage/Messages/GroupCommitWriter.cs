using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OrleansBroker.Grains.Storage;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// The one writer of the store: a loop that takes every request queued since its last turn, encodes them
/// into one buffer, writes it at the end of the active segment, fsyncs once and then completes all the
/// appends of the turn together (group commit). While a turn's fsync runs, the next turn's requests
/// queue up, so the busier the store, the more messages share an fsync.
/// </summary>
/// <remarks>
/// <para>Delivered and removed marks wait for nobody: they are written with the turn they arrive in (so
/// they reach the OS at once and survive a process crash) and fsynced with the next append's fsync or,
/// when no append comes, <see cref="SegmentMessageStoreOptions.WriteBehindFlushInterval"/> after the
/// last fsync. A power loss can lose that much of them: the messages come back, at least once.</para>
/// <para>After an fsync, segments nothing refers to any more are deleted (then the directory is fsynced,
/// before anything that depended on them may go too), and a little of a mostly-dead segment is compacted.
/// The writer mutates the index under the store's lock; readers take the same lock to look up locations
/// and read the files with their own handles.</para>
/// <para>A failed write or fsync stops the writer for good: after a failed fsync the OS may have dropped
/// the unwritten pages and reports the error once, so nothing written since the last good fsync can be
/// trusted. Pending and later appends fail; a restart recovers what is on disk.</para>
/// </remarks>
internal sealed class GroupCommitWriter : IAsyncDisposable
{
    /// <summary>Past this, the buffer is written out before more is encoded, so a burst does not grow it without bound.</summary>
    private const int WriteThreshold = 4 << 20;

    private readonly Channel<WriteRequest> _requests = Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _directory;
    private readonly SegmentMessageStoreOptions _options;
    private readonly MessageIndex _index;
    private readonly Lock _indexLock;
    private readonly ILogger _logger;
    private readonly List<TaskCompletionSource> _awaitingFsync = [];
    private readonly List<TaskCompletionSource> _awaitingReclaim = [];
    private readonly List<ulong> _acceptedIds = [];
    private readonly Compactor _compactor;
    private readonly Task _loop;
    private ActiveSegment _active;
    private byte[] _buffer = new byte[64 * 1024];
    private int _buffered;
    private bool _unsynced;
    private bool _mayReclaim = true;
    private long _lastFsync = Stopwatch.GetTimestamp();
    private long _fsyncCount;
    private Exception? _failure;
    private TaskCompletionSource? _pause;

    public GroupCommitWriter(string directory, SegmentMessageStoreOptions options, MessageIndex index, Lock indexLock, ActiveSegment active, ILogger logger)
    {
        _directory = directory;
        _options = options;
        _index = index;
        _indexLock = indexLock;
        _active = active;
        _logger = logger;
        _compactor = new Compactor(options, index, indexLock, logger);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>fsyncs of segment files so far (not of the directory): for tests of group commit.</summary>
    public long FsyncCount => Interlocked.Read(ref _fsyncCount);

    public uint ActiveSegmentNumber => _active.Number;

    /// <summary>Queues a request; false once the writer is shut down.</summary>
    public bool TryEnqueue(WriteRequest request) => _requests.Writer.TryWrite(request);

    /// <summary>Holds the loop before its next turn until the returned handle is disposed: lets a test queue many requests for one turn.</summary>
    internal IDisposable Pause()
    {
        var pause = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _pause, pause);
        return new Resume(() =>
        {
            Volatile.Write(ref _pause, null);
            pause.TrySetResult();
        });
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _compactor.Dispose();
        _active.Dispose();
    }

    private async Task RunAsync()
    {
        var turn = new List<WriteRequest>();
        Task<bool>? waiting = null;
        SyncAndReclaim();
        while (true)
        {
            waiting ??= _requests.Reader.WaitToReadAsync().AsTask();
            // Marks written but not fsynced, or reclaiming left for later: come back after the interval even if nothing arrives.
            if ((_unsynced || _mayReclaim) && !waiting.IsCompleted)
            {
                var due = _options.WriteBehindFlushInterval - Stopwatch.GetElapsedTime(_lastFsync);
                if (due > TimeSpan.Zero)
                {
                    await Task.WhenAny(waiting, Task.Delay(due)).ConfigureAwait(false);
                }

                if (!waiting.IsCompleted)
                {
                    SyncAndReclaim();
                    continue;
                }
            }

            var more = await waiting.ConfigureAwait(false);
            waiting = null;
            if (!more)
            {
                break;
            }

            if (Volatile.Read(ref _pause) is { } pause)
            {
                await pause.Task.ConfigureAwait(false);
            }

            while (_requests.Reader.TryRead(out var request))
            {
                turn.Add(request);
            }

            RunTurn(turn);
            turn.Clear();
        }

        if (_unsynced || _awaitingFsync.Count > 0 || _awaitingReclaim.Count > 0)
        {
            SyncAndReclaim();
        }
    }

    private void RunTurn(List<WriteRequest> turn)
    {
        var durable = false;
        foreach (var request in turn)
        {
            try
            {
                if (_failure is not null)
                {
                    request.Durable?.TrySetException(Failed());
                    continue;
                }

                Encode(request);
                if (request.Durable is { } completion)
                {
                    (request is FlushRequest ? _awaitingReclaim : _awaitingFsync).Add(completion);
                    durable = true;
                }
            }
            catch (Exception exception)
            {
                Fail(exception);
            }
            finally
            {
                if (request is MarkRequest mark)
                {
                    ArrayPool<ulong>.Shared.Return(mark.Ids);
                }
            }
        }

        try
        {
            if (_failure is null)
            {
                WriteBuffered();
            }
        }
        catch (Exception exception)
        {
            Fail(exception);
        }

        if (durable || (_unsynced && Stopwatch.GetElapsedTime(_lastFsync) >= _options.WriteBehindFlushInterval))
        {
            SyncAndReclaim();
        }
    }

    private void Encode(WriteRequest request)
    {
        switch (request)
        {
            case AppendRequest append:
                foreach (var message in append.Messages.Span)
                {
                    AppendMessage(append.Queue, message, delivered: false);
                }

                break;
            case MarkRequest mark:
                EncodeMark(mark);
                break;
            case DeleteQueueRequest delete:
                MakeRoom(SegmentFormat.RecordHeaderLength + SegmentFormat.QueueDeletedPayloadLength, delete.Queue);
                lock (_indexLock)
                {
                    _index.DeleteQueue(delete.Queue, _active.Number);
                }

                var queue = LocalQueueId(delete.Queue);
                var record = Reserve(SegmentFormat.QueueDeletedPayloadLength, out var offset);
                SegmentFormat.WriteQueueDeletedPayload(record[SegmentFormat.RecordHeaderLength..], queue);
                SegmentFormat.SealRecord(record, offset);
                _mayReclaim = true;
                break;
        }
    }

    /// <summary>Encodes an append record and makes it live in the index; also the path of compaction's copies.</summary>
    internal void AppendMessage(string queue, in StoredMessage message, bool delivered)
    {
        var payloadLength = SegmentFormat.AppendPayloadLength(message);
        MakeRoom(SegmentFormat.RecordHeaderLength + payloadLength, queue);
        var localQueue = LocalQueueId(queue);
        var record = Reserve(payloadLength, out var offset);
        SegmentFormat.WriteAppendPayload(record[SegmentFormat.RecordHeaderLength..], localQueue, message, delivered);
        SegmentFormat.SealRecord(record, offset);
        lock (_indexLock)
        {
            _index.Append(queue, message.Id, new MessageLocation(_active.Number, checked((uint)offset), record.Length, delivered));
        }
    }

    private void EncodeMark(MarkRequest mark)
    {
        MakeRoom(SegmentFormat.RecordHeaderLength + SegmentFormat.IdListPayloadLength(mark.Count), mark.Queue);
        _acceptedIds.Clear();
        lock (_indexLock)
        {
            // Only ids that change something are written, so every mark on disk refers to an append that
            // is on disk too, in this segment or an older one (see MessageIndex on why that matters).
            foreach (var id in mark.Ids.AsSpan(0, mark.Count))
            {
                var changed = mark.Type == RecordType.Delivered
                    ? _index.MarkDelivered(mark.Queue, id, _active.Number)
                    : _index.Remove(mark.Queue, id, _active.Number);
                if (changed)
                {
                    _acceptedIds.Add(id);
                }
            }
        }

        if (_acceptedIds.Count == 0)
        {
            return;
        }

        var queue = LocalQueueId(mark.Queue);
        var payloadLength = SegmentFormat.IdListPayloadLength(_acceptedIds.Count);
        var record = Reserve(payloadLength, out var offset);
        SegmentFormat.WriteIdListPayload(record[SegmentFormat.RecordHeaderLength..], mark.Type, queue, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_acceptedIds));
        SegmentFormat.SealRecord(record, offset);
        _mayReclaim |= mark.Type == RecordType.Removed;
    }

    /// <summary>Starts a new segment if the records about to be encoded (and the queue's name record) would not fit the active one.</summary>
    private void MakeRoom(long recordLength, string queue)
    {
        var length = _active.Length + _buffered;
        if (!_active.LocalQueueIds.ContainsKey(queue))
        {
            recordLength += SegmentFormat.RecordHeaderLength + SegmentFormat.QueueNamePayloadLength(SegmentFormat.Utf8.GetBytes(queue));
        }

        if (length > SegmentFormat.SegmentHeaderLength && length + recordLength > _options.SegmentSize)
        {
            Roll();
        }
    }

    private void Roll()
    {
        // The old segment is fsynced before the new one is used: appends of this turn may be in it, and
        // their completion waits for the fsync of the new one only.
        WriteBuffered();
        FlushToDisk();
        var next = ActiveSegment.Create(_directory, _active.Number + 1);
        _active.Dispose();
        _active = next;
        lock (_indexLock)
        {
            _index.AddSegment(next.Number, next.Path, next.Length);
        }

        _mayReclaim = true;
    }

    private uint LocalQueueId(string queue)
    {
        if (_active.LocalQueueIds.TryGetValue(queue, out var id))
        {
            return id;
        }

        id = (uint)_active.LocalQueueIds.Count;
        var key = SegmentFormat.Utf8.GetBytes(queue);
        var record = Reserve(SegmentFormat.QueueNamePayloadLength(key), out var offset);
        SegmentFormat.WriteQueueNamePayload(record[SegmentFormat.RecordHeaderLength..], id, key);
        SegmentFormat.SealRecord(record, offset);
        _active.LocalQueueIds.Add(queue, id);
        return id;
    }

    /// <summary>Room in the buffer for a record with this payload; its file offset, and the span to fill.</summary>
    private Span<byte> Reserve(int payloadLength, out long offset)
    {
        var recordLength = SegmentFormat.RecordHeaderLength + payloadLength;
        if (_buffered > 0 && _buffered + recordLength > WriteThreshold)
        {
            WriteBuffered();
        }

        if (_buffered + recordLength > _buffer.Length)
        {
            Array.Resize(ref _buffer, (int)Math.Min(Array.MaxLength, Math.Max((long)_buffered + recordLength, 2L * _buffer.Length)));
        }

        offset = _active.Length + _buffered;
        var record = _buffer.AsSpan(_buffered, recordLength);
        _buffered += recordLength;
        return record;
    }

    private void WriteBuffered()
    {
        if (_buffered == 0)
        {
            return;
        }

        _active.Write(_buffer.AsSpan(0, _buffered));
        _buffered = 0;
        _unsynced = true;
        if (_buffer.Length > WriteThreshold * 2)
        {
            // A huge message grew it; do not keep that much memory for the usual small ones.
            _buffer = new byte[WriteThreshold];
        }

        lock (_indexLock)
        {
            _index.FindSegment(_active.Number)!.Length = _active.Length;
        }
    }

    private void FlushToDisk()
    {
        _active.FlushToDisk();
        Interlocked.Increment(ref _fsyncCount);
        _unsynced = false;
        _lastFsync = Stopwatch.GetTimestamp();
    }

    /// <summary>fsync, complete what waited for it, reclaim space, complete the flushes that waited for that.</summary>
    private void SyncAndReclaim()
    {
        if (_failure is null)
        {
            try
            {
                if (_unsynced)
                {
                    FlushToDisk();
                }

                foreach (var completion in _awaitingFsync)
                {
                    completion.TrySetResult();
                }

                _awaitingFsync.Clear();
                if (_mayReclaim)
                {
                    _mayReclaim = false;
                    Reclaim();
                    var compaction = _compactor.CompactSome(this);
                    if (compaction != CompactionProgress.Idle)
                    {
                        // The copies are fsynced before the segment they came from may be deleted.
                        WriteBuffered();
                        if (_unsynced)
                        {
                            FlushToDisk();
                        }

                        Reclaim();
                        _mayReclaim = compaction == CompactionProgress.MoreToDo;
                    }
                }
            }
            catch (Exception exception)
            {
                Fail(exception);
            }
        }

        foreach (var completion in _awaitingReclaim)
        {
            if (_failure is null)
            {
                completion.TrySetResult();
            }
            else
            {
                completion.TrySetException(Failed());
            }
        }

        _awaitingReclaim.Clear();
    }

    /// <summary>Deletes segments nothing needs, repeating while deleting some frees others.</summary>
    private void Reclaim()
    {
        while (true)
        {
            List<SegmentState> reclaimable;
            lock (_indexLock)
            {
                reclaimable = _index.Reclaimable(_active.Number);
            }

            var deleted = new List<SegmentState>(reclaimable.Count);
            foreach (var segment in reclaimable)
            {
                try
                {
                    File.Delete(segment.Path);
                    deleted.Add(segment);
                    MessageStoreLog.SegmentDeleted(_logger, segment.Path);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    MessageStoreLog.SegmentDeleteFailed(_logger, segment.Path, exception);
                }
            }

            if (deleted.Count == 0)
            {
                return;
            }

            // Only once the deletions are durable may the segments that had to outlive them go too.
            DirectorySync.Flush(_directory);
            lock (_indexLock)
            {
                foreach (var segment in deleted)
                {
                    _index.ForgetSegment(segment.Number);
                }
            }
        }
    }

    private void Fail(Exception exception)
    {
        if (_failure is null)
        {
            _failure = exception;
            MessageStoreLog.WriterFailed(_logger, _directory, exception);
        }

        _unsynced = false;
        _mayReclaim = false;

        foreach (var completion in _awaitingFsync)
        {
            completion.TrySetException(Failed());
        }

        _awaitingFsync.Clear();
    }

    private IOException Failed() => new($"Message store '{_directory}' stopped writing after a failed write or fsync; restart the broker.", _failure);

    private sealed class Resume(Action resume) : IDisposable
    {
        public void Dispose() => resume();
    }
}
