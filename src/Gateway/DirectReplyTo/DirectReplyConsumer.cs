using OrleansBroker.Grains.DirectReplyTo;

namespace OrleansBroker.Gateway.DirectReplyTo;

/// <summary>
/// A channel's consumer of <c>amq.rabbitmq.reply-to</c> (at most one a channel, always no-ack): its tag, the key of its
/// reply name, the name requests get as reply_to, and the Orleans reference other nodes deliver replies through.
/// </summary>
internal sealed record DirectReplyConsumer(string ConsumerTag, string Key, string ReplyName, IDirectReplyObserver Reference);
