using System.Security.Cryptography;
using System.Text;

namespace OrleansBroker.Grains.DirectReplyTo;

/// <summary>
/// The names of direct reply-to. A requester consumes the pseudo-queue <c>amq.rabbitmq.reply-to</c>; its requests'
/// reply_to becomes <c>amq.rabbitmq.reply-to.&lt;channel&gt;.&lt;key&gt;</c>, RabbitMQ's form: the channel part is
/// the base64 of the Orleans id of the channel's <see cref="IDirectReplyObserver"/> (which names the node it lives
/// on, so any node can reach it), the key 16 random bytes in base64 that only this consumer knows, so a reply cannot
/// be sent to a channel by guessing its id.
/// </summary>
public static class DirectReplyNames
{
    public const string PseudoQueue = "amq.rabbitmq.reply-to";

    public const string ReplyPrefix = "amq.rabbitmq.reply-to.";

    /// <summary>A publish to the default exchange with this routing key is a reply, delivered to a channel.</summary>
    public static bool IsReplyName(string routingKey) => routingKey.StartsWith(ReplyPrefix, StringComparison.Ordinal);

    /// <summary>A new consumer's key (as rabbit_guid:gen, 16 random bytes, in base64).</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    public static string Format(GrainId observer, string key) =>
        ReplyPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(observer.ToString())) + "." + key;

    /// <summary>The observer and key a reply name carries; false for a name that cannot be one this broker made.</summary>
    public static bool TryParse(string name, out GrainId observer, out string key)
    {
        observer = default;
        key = string.Empty;
        if (!IsReplyName(name))
        {
            return false;
        }

        var suffix = name.AsSpan(ReplyPrefix.Length);
        var dot = suffix.IndexOf('.');
        if (dot <= 0 || dot == suffix.Length - 1 || suffix[(dot + 1)..].IndexOf('.') >= 0)
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[suffix.Length];
        if (!Convert.TryFromBase64Chars(suffix[..dot], decoded, out var length))
        {
            return false;
        }

        string id;
        try
        {
            id = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(decoded[..length]);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        // Only an observer's id (a client's, with an observer part): a made-up name must not reach or activate a grain.
        if (!GrainId.TryParse(id, out observer) || observer.IsDefault || !observer.IsClient() || observer.Key.AsSpan().IndexOf((byte)'+') < 0)
        {
            return false;
        }

        key = suffix[(dot + 1)..].ToString();
        return true;
    }
}
