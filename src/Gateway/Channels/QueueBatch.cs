using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Gateway.Channels;

/// <summary>The messages one read routed to one queue, enqueued in one grain call when the read ends.</summary>
internal sealed class QueueBatch(IQueueGrain queue)
{
    private Message[] _messages = new Message[16];

    public IQueueGrain Queue { get; } = queue;

    public int Count { get; private set; }

    public ReadOnlyMemory<Message> Messages => _messages.AsMemory(0, Count);

    public void Add(Message message)
    {
        if (Count == _messages.Length)
        {
            Array.Resize(ref _messages, _messages.Length * 2);
        }

        _messages[Count++] = message;
    }

    public void Clear()
    {
        Array.Clear(_messages, 0, Count);
        Count = 0;
    }
}
