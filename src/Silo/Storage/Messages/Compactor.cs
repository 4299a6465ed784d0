using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using OrleansBroker.Grains.Storage;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// Frees segments that are mostly dead but kept alive by a few messages (a slow consumer's old backlog
/// in the middle of acked traffic): copies those messages, with their delivered flag, to the end of the
/// active segment, after which the old segment holds nothing live and is deleted like any other.
/// Runs on the writer loop, a bounded number of bytes per step, so appends wait for at most one step.
/// </summary>
/// <remarks>
/// Only a sealed segment that need not outlive any other (<see cref="SegmentState.Outlives"/> empty) is a
/// candidate: otherwise emptying it would not let it be deleted. A copy supersedes the original (the later
/// append of the same id wins on recovery) and, through <see cref="MessageIndex.Append"/>, must outlive it.
/// Crash semantics: a crash before the source is deleted leaves both copies on disk; recovery keeps the
/// later one, so nothing is lost or doubled.
/// </remarks>
internal sealed class Compactor(SegmentMessageStoreOptions options, MessageIndex index, Lock indexLock, ILogger logger) : IDisposable
{
    private readonly HashSet<uint> _givenUp = [];
    private SegmentState? _source;
    private SafeFileHandle? _file;
    private List<(string Queue, ulong Id, MessageLocation Location)> _pending = [];
    private int _next;
    private int _copiedMessages;
    private long _copiedBytes;

    /// <summary>Copies up to <see cref="SegmentMessageStoreOptions.CompactionBytesPerStep"/> through <paramref name="writer"/>.</summary>
    public CompactionProgress CompactSome(GroupCommitWriter writer)
    {
        if (_source is null && !ChooseSource(writer.ActiveSegmentNumber))
        {
            return CompactionProgress.Idle;
        }

        long budget = options.CompactionBytesPerStep;
        while (_next < _pending.Count && budget > 0)
        {
            var (queue, id, original) = _pending[_next++];
            MessageLocation current;
            lock (indexLock)
            {
                if (!index.TryGetLocation(queue, id, out current) || current.Segment != original.Segment || current.Offset != original.Offset)
                {
                    continue;
                }
            }

            StoredMessage message;
            try
            {
                message = ReadRecord(current);
            }
            catch (InvalidDataException exception)
            {
                // Rotten on disk: copying it would launder it. It stays where it is, and so does its segment,
                // which is not chosen again.
                _givenUp.Add(_source!.Number);
                MessageStoreLog.CorruptMessageNotRecovered(logger, queue, id, _source!.Path, current.Offset, exception);
                continue;
            }

            writer.AppendMessage(queue, message, current.Delivered);
            budget -= current.Length;
            _copiedMessages++;
            _copiedBytes += current.Length;
        }

        if (_next < _pending.Count)
        {
            return CompactionProgress.MoreToDo;
        }

        MessageStoreLog.SegmentCompacted(logger, _source!.Path, _copiedMessages, _copiedBytes);
        Reset();
        return CompactionProgress.Finished;
    }

    private bool ChooseSource(uint activeSegment)
    {
        if (options.CompactBelowLiveFraction <= 0)
        {
            return false;
        }

        lock (indexLock)
        {
            var source = index.Segments
                .Where(segment => segment.Number != activeSegment && !_givenUp.Contains(segment.Number) && !segment.Damaged && segment.LiveMessages > 0 && segment.Outlives.Count == 0
                    && segment.LiveBytes < options.CompactBelowLiveFraction * (segment.Length - SegmentFormat.SegmentHeaderLength))
                .MinBy(segment => (double)segment.LiveBytes / segment.Length);
            if (source is null)
            {
                return false;
            }

            _source = source;
            _pending = index.LiveMessagesIn(source.Number);
        }

        // Read in file order: sequential for the disk.
        _pending.Sort(static (left, right) => left.Location.Offset.CompareTo(right.Location.Offset));
        try
        {
            _file = File.OpenHandle(_source.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch
        {
            Reset();
            throw;
        }

        return true;
    }

    private StoredMessage ReadRecord(MessageLocation location)
    {
        var record = new byte[location.Length];
        var filled = 0;
        while (filled < record.Length)
        {
            var read = RandomAccess.Read(_file!, record.AsSpan(filled), location.Offset + filled);
            if (read == 0)
            {
                throw new InvalidDataException("the segment ends inside the record");
            }

            filled += read;
        }

        return RecordReader.Decode(record, location);
    }

    private void Reset()
    {
        _file?.Dispose();
        _file = null;
        _source = null;
        _pending = [];
        _next = 0;
        _copiedMessages = 0;
        _copiedBytes = 0;
    }

    public void Dispose() => Reset();
}
