using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;
using OrleansBroker.Grains.Storage;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// The message store on disk: append-only segment files (format in <see cref="SegmentFormat"/>) written by
/// one group-committing writer loop (<see cref="GroupCommitWriter"/>), and an in-memory index of where each
/// live message is (<see cref="MessageIndex"/>), built by one scan of the segments at open. Bodies stay on
/// disk and are read back on <see cref="RecoverAsync"/> and <see cref="ReadAsync"/>. Thread-safe.
/// </summary>
/// <remarks>
/// Crash semantics, as <see cref="IMessageStore"/> promises them: an append's task completes after its
/// records are fsynced; delivered marks, removals are written behind (at once to the OS, fsynced within
/// <see cref="SegmentMessageStoreOptions.WriteBehindFlushInterval"/>), so a power loss can bring those
/// messages back. Whatever a crash leaves (torn records, garbage, damaged bytes), <see cref="OpenAsync"/>
/// recovers every record that checks out, logs what it dropped and starts; it throws only when the
/// directory itself cannot be used.
/// </remarks>
public sealed class SegmentMessageStore : IMessageStore, IAsyncDisposable
{
    private readonly Lock _indexLock;
    private readonly MessageIndex _index;
    private readonly GroupCommitWriter _writer;
    private readonly SafeFileHandle _directoryLock;
    private readonly ILogger _logger;
    private int _disposed;

    private SegmentMessageStore(string directory, MessageIndex index, Lock indexLock, GroupCommitWriter writer, SafeFileHandle directoryLock, ILogger logger)
    {
        Directory = directory;
        _index = index;
        _indexLock = indexLock;
        _writer = writer;
        _directoryLock = directoryLock;
        _logger = logger;
    }

    /// <summary>The store's directory, as a full path.</summary>
    public string Directory { get; }

    /// <summary>
    /// Opens the store in <paramref name="directory"/> (created if missing): scans every segment, rebuilding
    /// the index and repairing what a crash left, logs what was recovered, and starts a new segment to write.
    /// Throws <see cref="MessageStoreDirectoryException"/> if the directory cannot be created or written, or
    /// another open store holds it.
    /// </summary>
    public static Task<SegmentMessageStore> OpenAsync(string directory, SegmentMessageStoreOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new SegmentMessageStoreOptions();
        options.Validate();
        return Task.Run(() => Open(Path.GetFullPath(directory), options, logger ?? NullLogger.Instance), cancellationToken);
    }

    private static SegmentMessageStore Open(string directory, SegmentMessageStoreOptions options, ILogger logger)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new MessageStoreDirectoryException(directory, "it cannot be created", exception);
        }

        var directoryLock = LockDirectory(directory);
        try
        {
            var index = new MessageIndex();
            var scanner = new SegmentScanner(index, logger);
            var segments = ListSegments(directory);
            foreach (var (number, path) in segments)
            {
                try
                {
                    scanner.Scan(number, path);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // One unreadable file should not keep the broker from starting with the others.
                    MessageStoreLog.SegmentUnreadable(logger, path, exception);
                    if (index.FindSegment(number) is { } partlyRead)
                    {
                        partlyRead.Damaged = true;
                    }
                }
            }

            var highest = segments.Count == 0 ? 0 : segments[^1].Number;
            if (highest == uint.MaxValue)
            {
                throw new MessageStoreDirectoryException(directory, "segment numbers are exhausted");
            }

            var recoveredBytes = index.Segments.Sum(segment => segment.Length);
            var recoveredSegments = index.Segments.Count();
            ActiveSegment active;
            try
            {
                active = ActiveSegment.Create(directory, highest + 1);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new MessageStoreDirectoryException(directory, "a segment file cannot be created in it", exception);
            }

            index.AddSegment(active.Number, active.Path, active.Length);
            MessageStoreLog.Recovered(logger, directory, index.MessageCount, index.QueueCount, recoveredSegments, recoveredBytes, stopwatch.ElapsedMilliseconds);
            var indexLock = new Lock();
            var writer = new GroupCommitWriter(directory, options, index, indexLock, active, logger);
            return new SegmentMessageStore(directory, index, indexLock, writer, directoryLock, logger);
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>Holds the lock file for the store's lifetime, so two stores (two brokers) never write one directory.</summary>
    private static SafeFileHandle LockDirectory(string directory)
    {
        var path = Path.Combine(directory, SegmentFormat.LockFileName);
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix, released when the handle closes or the process dies.
            return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new MessageStoreDirectoryException(directory, "it cannot be written", exception);
        }
        catch (IOException exception)
        {
            throw new MessageStoreDirectoryException(directory, $"its lock file cannot be taken (is another broker using it?): {exception.Message}", exception);
        }
    }

    private static List<(uint Number, string Path)> ListSegments(string directory)
    {
        var segments = new List<(uint Number, string Path)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*" + SegmentFormat.SegmentFileExtension))
        {
            if (SegmentFormat.TryParseSegmentFileName(Path.GetFileName(path), out var number))
            {
                segments.Add((number, path));
            }
        }

        segments.Sort(static (left, right) => left.Number.CompareTo(right.Number));
        return segments;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The messages and their bytes are read by the writer loop later, not copied here: they must stay
    /// unchanged until the returned task completes. Throws <see cref="ArgumentException"/> at once for a
    /// message the format cannot hold (exchange or routing key over 65535 bytes of UTF-8, not valid Unicode).
    /// </remarks>
    public ValueTask AppendAsync(string queue, ReadOnlyMemory<StoredMessage> messages)
    {
        ValidateQueue(queue);
        if (messages.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        // Refused here, before anything is encoded, so that the writer meets only I/O failures.
        foreach (var message in messages.Span)
        {
            SegmentFormat.AppendPayloadLength(message);
        }

        var request = new AppendRequest(queue, messages);
        Enqueue(request);
        return new ValueTask(request.Durable!.Task);
    }

    public void MarkDelivered(string queue, ReadOnlySpan<ulong> messageIds) => EnqueueMark(RecordType.Delivered, queue, messageIds);

    public void Remove(string queue, ReadOnlySpan<ulong> messageIds) => EnqueueMark(RecordType.Removed, queue, messageIds);

    public ValueTask DeleteQueueAsync(string queue)
    {
        ValidateQueue(queue);
        var request = new DeleteQueueRequest(queue);
        Enqueue(request);
        return new ValueTask(request.Durable!.Task);
    }

    public async IAsyncEnumerable<RecoveredMessage> RecoverAsync(string queue, long residentBytes = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        (ulong Id, MessageLocation Location)[] messages;
        lock (_indexLock)
        {
            messages = _index.Snapshot(queue);
        }

        // Bodies for the first residentBytes of messages; past that only ids and flags (paged).
        var resident = 0;
        for (var budget = 0L; resident < messages.Length && budget < residentBytes; resident++)
        {
            budget += messages[resident].Location.Length;
        }

        await foreach (var (message, delivered) in ReadLocatedAsync(queue, messages.AsMemory(0, resident), cancellationToken).ConfigureAwait(false))
        {
            yield return new RecoveredMessage(message, delivered);
        }

        for (var i = resident; i < messages.Length; i++)
        {
            var (id, location) = messages[i];
            yield return new RecoveredMessage(new StoredMessage(id, string.Empty, string.Empty, default, default), location.Delivered, Paged: true);
        }
    }

    public async IAsyncEnumerable<StoredMessage> ReadManyAsync(string queue, ReadOnlyMemory<ulong> messageIds, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var located = new (ulong Id, MessageLocation Location)[messageIds.Length];
        var found = 0;
        lock (_indexLock)
        {
            foreach (var id in messageIds.Span)
            {
                if (_index.TryGetLocation(queue, id, out var location))
                {
                    located[found++] = (id, location);
                }
            }
        }

        await foreach (var (message, _) in ReadLocatedAsync(queue, located.AsMemory(0, found), cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }
    }

    /// <summary>
    /// Read located messages in order. Consecutive ones sit mostly in one segment, so its file stays
    /// open across them. A message that is live but not readable where the snapshot put it (compaction
    /// moved it and the copy is still in the writer's queue) is read again after the writer has flushed;
    /// only one that still does not check out is logged and skipped.
    /// </summary>
    private async IAsyncEnumerable<(StoredMessage Message, bool Delivered)> ReadLocatedAsync(
        string queue, ReadOnlyMemory<(ulong Id, MessageLocation Location)> messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        SafeFileHandle? file = null;
        var fileSegment = 0u;
        try
        {
            for (var i = 0; i < messages.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (id, location) = messages.Span[i];
                if (file is null || fileSegment != location.Segment)
                {
                    file?.Dispose();
                    file = OpenCurrent(queue, id, ref location);
                    fileSegment = location.Segment;
                }

                var message = file is null ? null : await TryReadAsync(file, location, cancellationToken).ConfigureAwait(false);
                if (message is null && IsLive(queue, id))
                {
                    await FlushAsync().ConfigureAwait(false);
                    location = messages.Span[i].Location;
                    using var retry = OpenCurrent(queue, id, ref location);
                    message = retry is null ? null : await TryReadAsync(retry, location, cancellationToken).ConfigureAwait(false);
                }

                if (message is { } read)
                {
                    yield return (read, location.Delivered);
                }
                else if (IsLive(queue, id))
                {
                    MessageStoreLog.CorruptMessageNotRecovered(_logger, queue, id, SegmentPath(location.Segment), location.Offset, null);
                }
            }
        }
        finally
        {
            file?.Dispose();
        }
    }

    private static async ValueTask<StoredMessage?> TryReadAsync(SafeFileHandle file, MessageLocation location, CancellationToken cancellationToken)
    {
        try
        {
            return await RecordReader.ReadMessageAsync(file, location, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException)
        {
            return null;
        }
    }

    private bool IsLive(string queue, ulong id)
    {
        lock (_indexLock)
        {
            return _index.TryGetLocation(queue, id, out _);
        }
    }

    /// <summary>
    /// One live message, read from disk: for paging bodies back in. Throws <see cref="KeyNotFoundException"/>
    /// if the queue has no such live message, <see cref="InvalidDataException"/> if its record no longer checks out.
    /// </summary>
    public async ValueTask<StoredMessage> ReadAsync(string queue, ulong id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        MessageLocation location;
        lock (_indexLock)
        {
            if (!_index.TryGetLocation(queue, id, out location))
            {
                throw new KeyNotFoundException($"Queue '{queue}' has no stored message {id}.");
            }
        }

        using var file = OpenCurrent(queue, id, ref location)
            ?? throw new KeyNotFoundException($"Message {id} of queue '{queue}' is not readable: removed, or still being written.");
        return await RecordReader.ReadMessageAsync(file, location, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes and fsyncs everything queued so far and reclaims what it can; DisposeAsync does it too.</summary>
    internal Task FlushAsync()
    {
        var request = new FlushRequest();
        Enqueue(request);
        return request.Durable!.Task;
    }

    /// <summary>fsyncs of segment files so far: what tests of group commit count.</summary>
    internal long FsyncCount => _writer.FsyncCount;

    /// <summary>Holds the writer before its next turn until disposed: lets a test queue many requests for one turn.</summary>
    internal IDisposable PauseWriter() => _writer.Pause();

    /// <summary>Numbers of the segments the store has (files of earlier runs with a bad header excepted).</summary>
    internal uint[] SegmentNumbers
    {
        get
        {
            lock (_indexLock)
            {
                return _index.Segments.Select(segment => segment.Number).ToArray();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writer.DisposeAsync().ConfigureAwait(false);
        DeleteActiveSegmentIfUnneeded();
        _directoryLock.Dispose();
    }

    /// <summary>Spares the next open a useless file: the segment written last, if nothing in it matters.</summary>
    private void DeleteActiveSegmentIfUnneeded()
    {
        SegmentState? active;
        lock (_indexLock)
        {
            active = _index.FindSegment(_writer.ActiveSegmentNumber);
        }

        if (active is { IsReclaimable: true, OutlivedBy.Count: 0 })
        {
            try
            {
                File.Delete(active.Path);
                DirectorySync.Flush(Directory);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                MessageStoreLog.SegmentDeleteFailed(_logger, active.Path, exception);
            }
        }
    }

    private void EnqueueMark(RecordType type, string queue, ReadOnlySpan<ulong> messageIds)
    {
        ValidateQueue(queue);
        if (messageIds.IsEmpty)
        {
            return;
        }

        var ids = ArrayPool<ulong>.Shared.Rent(messageIds.Length);
        messageIds.CopyTo(ids);
        if (!_writer.TryEnqueue(new MarkRequest(type, queue, ids, messageIds.Length)))
        {
            ArrayPool<ulong>.Shared.Return(ids);
            throw new ObjectDisposedException(nameof(SegmentMessageStore));
        }
    }

    private void Enqueue(WriteRequest request)
    {
        if (!_writer.TryEnqueue(request))
        {
            throw new ObjectDisposedException(nameof(SegmentMessageStore));
        }
    }

    private static void ValidateQueue(string queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        // Keys are stored as UTF-8; one that is not valid Unicode would come back altered, so it is refused.
        SegmentFormat.Utf8.GetByteCount(queue);
    }

    /// <summary>
    /// A read handle on the segment holding a live message, or null if the message is gone (or not yet
    /// written). The segment of a location looked up earlier may have been deleted since because compaction
    /// moved the message; then the index is asked again, and <paramref name="location"/> updated.
    /// </summary>
    private SafeFileHandle? OpenCurrent(string queue, ulong id, ref MessageLocation location)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (OpenReadable(location) is { } file)
            {
                return file;
            }

            MessageLocation current;
            lock (_indexLock)
            {
                if (!_index.TryGetLocation(queue, id, out current) || current == location)
                {
                    return null;
                }
            }

            location = current;
        }

        return null;
    }

    /// <summary>A read handle on the segment holding <paramref name="location"/>, or null if it is gone or not yet written that far.</summary>
    private SafeFileHandle? OpenReadable(MessageLocation location)
    {
        string path;
        lock (_indexLock)
        {
            var segment = _index.FindSegment(location.Segment);
            if (segment is null || location.Offset + (long)location.Length > segment.Length)
            {
                return null;
            }

            path = segment.Path;
        }

        try
        {
            return RecordReader.Open(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private string SegmentPath(uint number) => Path.Combine(Directory, SegmentFormat.SegmentFileName(number));
}
