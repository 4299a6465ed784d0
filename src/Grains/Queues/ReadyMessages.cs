namespace OrleansBroker.Grains.Queues;

/// <summary>
/// The ready messages of a queue, in id order: a ring buffer that appends at the tail and takes
/// from the head. A requeued message goes back to its place by id (RabbitMQ's classic queues put
/// requeued messages back in their original order); that is at or near the head in practice,
/// so the shifting insert is cheap.
/// </summary>
internal sealed class ReadyMessages
{
    private QueueEntry[] _items = new QueueEntry[16];
    private int _head;
    private int _count;

    public int Count => _count;

    public void Append(in QueueEntry entry)
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        _items[(_head + _count) & (_items.Length - 1)] = entry;
        _count++;
    }

    public ref readonly QueueEntry PeekHead() => ref _items[_head];

    public ref readonly QueueEntry PeekTail() => ref _items[(_head + _count - 1) & (_items.Length - 1)];

    /// <summary>The entry <paramref name="index"/> places behind the head (0 is the head), to update in place.</summary>
    public ref QueueEntry this[int index] => ref _items[(_head + index) & (_items.Length - 1)];

    public QueueEntry TakeHead()
    {
        var entry = _items[_head];
        _items[_head] = default;
        _head = (_head + 1) & (_items.Length - 1);
        _count--;
        return entry;
    }

    /// <summary>Put an entry back in id order.</summary>
    public void Insert(in QueueEntry entry)
    {
        if (_count == 0 || entry.Id > _items[(_head + _count - 1) & (_items.Length - 1)].Id)
        {
            Append(entry);
            return;
        }

        if (_count == _items.Length)
        {
            Grow();
        }

        var mask = _items.Length - 1;
        if (entry.Id < _items[_head].Id)
        {
            _head = (_head - 1) & mask;
            _items[_head] = entry;
            _count++;
            return;
        }

        // Find the first position whose id is greater, then shift the tail right by one.
        var position = _count;
        for (var i = 0; i < _count; i++)
        {
            if (_items[(_head + i) & mask].Id > entry.Id)
            {
                position = i;
                break;
            }
        }

        for (var i = _count; i > position; i--)
        {
            _items[(_head + i) & mask] = _items[(_head + i - 1) & mask];
        }

        _items[(_head + position) & mask] = entry;
        _count++;
    }

    /// <summary>Drop every entry; returns how many there were.</summary>
    public int Clear()
    {
        var count = _count;
        Array.Clear(_items);
        _head = 0;
        _count = 0;
        return count;
    }

    private void Grow()
    {
        var larger = new QueueEntry[_items.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            larger[i] = _items[(_head + i) & (_items.Length - 1)];
        }

        _items = larger;
        _head = 0;
    }
}
