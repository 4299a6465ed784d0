using OrleansBroker.Grains.DirectReplyTo;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Gateway.Channels;

/// <summary>
/// The object replies reach a channel's direct reply-to consumer through: called directly by publishers on this node,
/// through Orleans (as an observer) by those on others. The channel holds the strong reference while it consumes.
/// </summary>
internal sealed class DirectReplyObserver(AmqpChannel channel) : IDirectReplyObserver
{
    public Task DeliverReply(string key, Message message)
    {
        channel.OnDirectReply(key, message);
        return Task.CompletedTask;
    }

    public Task<bool> HasReplyConsumer(string key) => Task.FromResult(channel.HasDirectReplyConsumer(key));
}
