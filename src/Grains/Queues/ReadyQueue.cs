namespace OrleansBroker.Grains.Queues;

/// <summary>
/// A queue's ready messages by priority level, as rabbit_priority_queue keeps them: one <see cref="ReadyMessages"/>
/// per level, the highest non-empty level first, id order (FIFO, requeued ones back in their place) within a level.
/// A queue that is not a priority queue has one level, so this costs it one indirection.
/// </summary>
internal sealed class ReadyQueue
{
    private readonly ReadyMessages[] _levels;
    private int _count;

    /// <param name="levels">1 for a plain queue; x-max-priority + 1 for a priority queue.</param>
    public ReadyQueue(int levels)
    {
        _levels = new ReadyMessages[Math.Max(levels, 1)];
        for (var i = 0; i < _levels.Length; i++)
        {
            _levels[i] = new ReadyMessages();
        }
    }

    public int Count => _count;

    public void Append(in QueueEntry entry)
    {
        _levels[entry.Priority].Append(entry);
        _count++;
    }

    /// <summary>Put a requeued entry back in its place.</summary>
    public void Insert(in QueueEntry entry)
    {
        _levels[entry.Priority].Insert(entry);
        _count++;
    }

    public ref readonly QueueEntry PeekHead() => ref HeadLevel().PeekHead();

    public QueueEntry TakeHead()
    {
        _count--;
        return HeadLevel().TakeHead();
    }

    /// <summary>The entry <paramref name="index"/> places behind the head in delivery order, to update in place.</summary>
    public ref QueueEntry this[int index]
    {
        get
        {
            for (var level = _levels.Length - 1; level >= 0; level--)
            {
                var messages = _levels[level];
                if (index < messages.Count)
                {
                    return ref messages[index];
                }

                index -= messages.Count;
            }

            throw new ArgumentOutOfRangeException(nameof(index));
        }
    }

    /// <summary>Take the head of a level whose head has expired by <paramref name="now"/> (the highest such level first).</summary>
    public bool TryTakeExpiredHead(long now, out QueueEntry entry)
    {
        for (var level = _levels.Length - 1; level >= 0; level--)
        {
            var messages = _levels[level];
            if (messages.Count > 0 && messages.PeekHead().Deadline is var deadline && deadline != 0 && now >= deadline)
            {
                _count--;
                entry = messages.TakeHead();
                return true;
            }
        }

        entry = default;
        return false;
    }

    /// <summary>The earliest deadline among the levels' heads; 0 when no head expires.</summary>
    public long EarliestHeadDeadline()
    {
        long earliest = 0;
        foreach (var messages in _levels)
        {
            if (messages.Count > 0 && messages.PeekHead().Deadline is var deadline && deadline != 0 && (earliest == 0 || deadline < earliest))
            {
                earliest = deadline;
            }
        }

        return earliest;
    }

    /// <summary>Drop every entry; returns how many there were.</summary>
    public int Clear()
    {
        foreach (var messages in _levels)
        {
            messages.Clear();
        }

        var count = _count;
        _count = 0;
        return count;
    }

    private ReadyMessages HeadLevel()
    {
        for (var level = _levels.Length - 1; level > 0; level--)
        {
            if (_levels[level].Count > 0)
            {
                return _levels[level];
            }
        }

        return _levels[0];
    }
}
