using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// Messages one read routed to one queue, handed over in one grain call when the read ends. The list is reused
/// read after read; the call gets an array of its own, since Orleans may still hold it after a timeout.
/// </summary>
internal sealed class MessageBatch(IQueueGrain queue)
{
    /// <summary>A batch that grew past this many messages gives its storage back when cleared.</summary>
    private const int RetainedCapacity = 4096;

    private List<Message> _messages = new();

    public IQueueGrain Queue { get; } = queue;

    public int Count => _messages.Count;

    public void Add(Message message) => _messages.Add(message);

    public Message[] Take()
    {
        var messages = _messages.ToArray();
        Clear();
        return messages;
    }

    public void Clear()
    {
        if (_messages.Capacity > RetainedCapacity)
        {
            _messages = new List<Message>();
        }
        else
        {
            _messages.Clear();
        }
    }
}
