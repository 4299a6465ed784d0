using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// Messages one read routed to one queue, handed over in one grain call when the read ends. The list is reused
/// read after read; the call gets an array of its own, since Orleans may still hold it after a timeout.
/// On a confirming channel it also keeps each message's publish sequence number until the queue answered, so that a
/// message the queue refused (overflow reject-publish) is nacked.
/// </summary>
internal sealed class MessageBatch(IQueueGrain queue)
{
    /// <summary>A batch that grew past this many messages gives its storage back when cleared.</summary>
    private const int RetainedCapacity = 4096;

    private List<Message> _messages = new();
    private readonly List<ulong> _sequences = new();

    public IQueueGrain Queue { get; } = queue;

    public int Count => _messages.Count;

    /// <param name="sequence">Its publish sequence number on a confirming channel; 0 otherwise.</param>
    public void Add(Message message, ulong sequence)
    {
        _messages.Add(message);
        if (sequence != 0)
        {
            _sequences.Add(sequence);
        }
    }

    /// <summary>The publish sequence number of the message at <paramref name="position"/> in the last batch taken.</summary>
    public ulong SequenceAt(int position) => _sequences[position];

    /// <summary>The queue answered for the last batch taken: its sequence numbers are no longer needed.</summary>
    public void Answered() => _sequences.Clear();

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
