using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.DirectReplyTo;

/// <summary>
/// A channel consuming <c>amq.rabbitmq.reply-to</c>, as a publisher on another node reaches it: the reply name carries
/// this observer's id, so a reply goes straight to the requester's channel through Orleans, never through a queue.
/// </summary>
[Alias("ob.IDirectReplyObserver")]
public interface IDirectReplyObserver : IGrainObserver
{
    /// <summary>A reply published to the channel's reply name; <paramref name="key"/> is the name's secret part.</summary>
    [OneWay, Alias("DeliverReply")]
    Task DeliverReply(string key, Message message);

    /// <summary>Whether the channel still consumes under this key (queue.declare of a reply name).</summary>
    [Alias("HasReplyConsumer")]
    Task<bool> HasReplyConsumer(string key);
}
