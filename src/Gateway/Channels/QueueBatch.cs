using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// What one read produced for one queue (messages routed to it, or settlements of its deliveries), handed
/// over in one grain call when the read ends. The array is reused read after read: the call is awaited
/// before the batch is cleared.
/// </summary>
internal sealed class QueueBatch<T>(IQueueGrain queue)
{
    /// <summary>A batch that grew past this many items gives its array back when cleared.</summary>
    private const int RetainedCapacity = 4096;

    private T[] _items = new T[16];

    public IQueueGrain Queue { get; } = queue;

    public int Count { get; private set; }

    public ReadOnlyMemory<T> Items => _items.AsMemory(0, Count);

    public void Add(T item)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = item;
    }

    public void Clear()
    {
        if (_items.Length > RetainedCapacity)
        {
            _items = new T[16];
        }
        else
        {
            Array.Clear(_items, 0, Count);
        }

        Count = 0;
    }
}
