using System.Runtime.InteropServices;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// The in-memory state of the store: for each queue its live message ids and where their append records
/// are, and for each segment how much of it is live and which segments it must outlive. Built by replaying
/// the segments in order at startup and kept up to date by the writer as it writes, so both apply records
/// through the same methods. Not thread-safe: the store guards it with one lock.
/// </summary>
/// <remarks>
/// A segment can be deleted when none of its appends is live and none of its delivered, removed or
/// queue-deleted records refers to a message in a segment that still exists (<see cref="SegmentState.Outlives"/>).
/// The second condition is what keeps recovery exact: a removal record must stay on disk as long as the
/// append it cancels.
/// </remarks>
internal sealed class MessageIndex
{
    private readonly Dictionary<string, QueueIndex> _queues = new(StringComparer.Ordinal);
    private readonly SortedDictionary<uint, SegmentState> _segments = [];

    public int QueueCount => _queues.Count;

    public long MessageCount { get; private set; }

    public IEnumerable<SegmentState> Segments => _segments.Values;

    public SegmentState AddSegment(uint number, string path, long length)
    {
        var segment = new SegmentState(number, path, length);
        _segments.Add(number, segment);
        return segment;
    }

    public SegmentState? FindSegment(uint number) => _segments.GetValueOrDefault(number);

    /// <summary>The message is live at <paramref name="location"/>; if it was live elsewhere already (a compaction copy), the new location wins.</summary>
    public void Append(string queue, ulong id, MessageLocation location)
    {
        if (!_queues.TryGetValue(queue, out var index))
        {
            index = new QueueIndex(queue);
            _queues.Add(queue, index);
        }

        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(index.Messages, id, out var existed);
        if (existed)
        {
            // The earlier append stays on disk until its segment is deleted; while it is there, the copy
            // that supersedes it must be too, or recovery would find the earlier one live again.
            Release(slot);
            MustOutlive(location.Segment, slot.Segment);
        }
        else
        {
            MessageCount++;
        }

        slot = location;
        var segment = _segments[location.Segment];
        segment.LiveMessages++;
        segment.LiveBytes += location.Length;
    }

    /// <summary>Sets the delivered flag; false (nothing to write) if the message is not live or was flagged already.</summary>
    public bool MarkDelivered(string queue, ulong id, uint recordSegment)
    {
        if (!_queues.TryGetValue(queue, out var index))
        {
            return false;
        }

        ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(index.Messages, id);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot) || slot.Delivered)
        {
            return false;
        }

        slot = slot with { Delivered = true };
        MustOutlive(recordSegment, slot.Segment);
        return true;
    }

    /// <summary>Ends a message; false (nothing to write) if it was not live.</summary>
    public bool Remove(string queue, ulong id, uint recordSegment)
    {
        if (!_queues.TryGetValue(queue, out var index) || !index.Messages.Remove(id, out var location))
        {
            return false;
        }

        Release(location);
        MessageCount--;
        MustOutlive(recordSegment, location.Segment);
        if (index.Messages.Count == 0)
        {
            _queues.Remove(queue);
        }

        return true;
    }

    /// <summary>Ends every message of the queue.</summary>
    public void DeleteQueue(string queue, uint recordSegment)
    {
        if (!_queues.Remove(queue, out var index))
        {
            return;
        }

        foreach (var location in index.Messages.Values)
        {
            Release(location);
            MustOutlive(recordSegment, location.Segment);
        }

        MessageCount -= index.Messages.Count;
    }

    public bool TryGetLocation(string queue, ulong id, out MessageLocation location)
    {
        location = default;
        return _queues.TryGetValue(queue, out var index) && index.Messages.TryGetValue(id, out location);
    }

    /// <summary>The live messages of a queue, in id order.</summary>
    public (ulong Id, MessageLocation Location)[] Snapshot(string queue)
    {
        if (!_queues.TryGetValue(queue, out var index))
        {
            return [];
        }

        var messages = new (ulong Id, MessageLocation Location)[index.Messages.Count];
        var next = 0;
        foreach (var (id, location) in index.Messages)
        {
            messages[next++] = (id, location);
        }

        Array.Sort(messages, static (left, right) => left.Id.CompareTo(right.Id));
        return messages;
    }

    /// <summary>The live messages of one segment with their queues: what compaction copies forward.</summary>
    public List<(string Queue, ulong Id, MessageLocation Location)> LiveMessagesIn(uint segment)
    {
        var messages = new List<(string Queue, ulong Id, MessageLocation Location)>();
        foreach (var index in _queues.Values)
        {
            foreach (var (id, location) in index.Messages)
            {
                if (location.Segment == segment)
                {
                    messages.Add((index.Key, id, location));
                }
            }
        }

        return messages;
    }

    /// <summary>Segments that can be deleted now, the active one excepted.</summary>
    public List<SegmentState> Reclaimable(uint activeSegment) =>
        _segments.Values.Where(segment => segment.Number != activeSegment && segment.IsReclaimable).ToList();

    /// <summary>The segment's file is gone (and its deletion durable): segments that had to outlive it are free of it.</summary>
    public void ForgetSegment(uint number)
    {
        if (!_segments.Remove(number, out var segment))
        {
            return;
        }

        foreach (var newer in segment.OutlivedBy)
        {
            _segments.GetValueOrDefault(newer)?.Outlives.Remove(number);
        }

        foreach (var older in segment.Outlives)
        {
            _segments.GetValueOrDefault(older)?.OutlivedBy.Remove(number);
        }
    }

    private void Release(MessageLocation location)
    {
        var segment = _segments[location.Segment];
        segment.LiveMessages--;
        segment.LiveBytes -= location.Length;
    }

    private void MustOutlive(uint newer, uint older)
    {
        if (newer == older)
        {
            return;
        }

        _segments[newer].Outlives.Add(older);
        _segments[older].OutlivedBy.Add(newer);
    }
}
