using System.Text;

namespace OrleansBroker.Amqp;

/// <summary>The names RabbitMQ puts in front of reply texts ("NOT_FOUND - no queue 'q' in vhost '/'").</summary>
public static class ReplyCodeText
{
    public static string Name(ReplyCode code) => code switch
    {
        ReplyCode.Success => "OK",
        ReplyCode.ContentTooLarge => "CONTENT_TOO_LARGE",
        ReplyCode.NoRoute => "NO_ROUTE",
        ReplyCode.NoConsumers => "NO_CONSUMERS",
        ReplyCode.ConnectionForced => "CONNECTION_FORCED",
        ReplyCode.InvalidPath => "INVALID_PATH",
        ReplyCode.AccessRefused => "ACCESS_REFUSED",
        ReplyCode.NotFound => "NOT_FOUND",
        ReplyCode.ResourceLocked => "RESOURCE_LOCKED",
        ReplyCode.PreconditionFailed => "PRECONDITION_FAILED",
        ReplyCode.FrameError => "FRAME_ERROR",
        ReplyCode.SyntaxError => "SYNTAX_ERROR",
        ReplyCode.CommandInvalid => "COMMAND_INVALID",
        ReplyCode.ChannelError => "CHANNEL_ERROR",
        ReplyCode.UnexpectedFrame => "UNEXPECTED_FRAME",
        ReplyCode.ResourceError => "RESOURCE_ERROR",
        ReplyCode.NotAllowed => "NOT_ALLOWED",
        ReplyCode.NotImplemented => "NOT_IMPLEMENTED",
        ReplyCode.InternalError => "INTERNAL_ERROR",
        _ => code.ToString(),
    };

    /// <summary>
    /// A reply text cut to fit a short string as rabbit_binary_generator cuts it: over 255 octets, the first 252
    /// and "..." (here cut at a character boundary, so the text stays valid UTF-8).
    /// </summary>
    public static string Truncate(string replyText)
    {
        const int MaxOctets = 255;
        const int KeptOctets = 252;
        if (Encoding.UTF8.GetByteCount(replyText) <= MaxOctets)
        {
            return replyText;
        }

        var kept = 0;
        var octets = 0;
        foreach (var rune in replyText.EnumerateRunes())
        {
            if (octets + rune.Utf8SequenceLength > KeptOctets)
            {
                break;
            }

            octets += rune.Utf8SequenceLength;
            kept += rune.Utf16SequenceLength;
        }

        return string.Concat(replyText.AsSpan(0, kept), "...");
    }

    /// <summary>Hard errors close the connection; soft errors close only the channel.</summary>
    public static bool IsConnectionError(ReplyCode code) => code is ReplyCode.ConnectionForced or ReplyCode.InvalidPath
        or ReplyCode.FrameError or ReplyCode.SyntaxError or ReplyCode.CommandInvalid or ReplyCode.ChannelError
        or ReplyCode.UnexpectedFrame or ReplyCode.ResourceError or ReplyCode.NotAllowed or ReplyCode.NotImplemented
        or ReplyCode.InternalError;
}
