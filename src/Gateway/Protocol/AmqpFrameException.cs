using System.Buffers;
using OrleansBroker.Amqp;

namespace OrleansBroker.Gateway.Protocol;

/// <summary>
/// A frame the connection cannot accept; the gateway closes the connection with <see cref="Code"/>,
/// <see cref="ReplyText"/> and <see cref="MethodId"/>. Texts follow rabbit_reader (3.10): "type ~p, ~s octets =
/// ~p: ~p" with the first 16 octets of the payload, and rabbit_misc:frame_error's "cannot decode ~w".
/// </summary>
public sealed class AmqpFrameException(ReplyCode code, string detail, ushort channel, uint methodId = 0) : Exception(detail)
{
    private const int SnippetSize = 16;

    // Enough octets that the text overflows the 255-octet reply text, which is then cut as RabbitMQ cuts it.
    private const int CannotDecodeOctets = 128;

    public ReplyCode Code { get; } = code;

    /// <summary>The channel the offending frame was on.</summary>
    public ushort Channel { get; } = channel;

    /// <summary>The method the error is about, for connection.close's class-id and method-id; 0 when none.</summary>
    public uint MethodId { get; } = methodId;

    /// <summary>
    /// The reply text as RabbitMQ words it, cut to fit a short string: "FRAME_ERROR - type 1, all octets =
    /// &lt;&lt;&gt;&gt;: {frame_too_large,...}".
    /// </summary>
    public string ReplyText => ReplyCodeText.Truncate($"{ReplyCodeText.Name(Code)} - {Message}");

    /// <summary>Method arguments that do not decode (the gateway catches <see cref="AmqpFormatException"/> from Decode).</summary>
    public static AmqpFrameException CannotDecode(ushort channel, uint methodId, ReadOnlySpan<byte> arguments) =>
        new(ReplyCode.FrameError, $"cannot decode {ErlangTerms.NumericBinary(arguments[..Math.Min(arguments.Length, CannotDecodeOctets)])}", channel, methodId);

    /// <summary>A frame whose declared payload exceeds frame_max. RabbitMQ allows 8 octets of slack for clients that miscount.</summary>
    public static AmqpFrameException FrameTooLarge(byte type, ushort channel, uint payloadSize, uint frameMax) =>
        FrameError(type, channel, ReadOnlySequence<byte>.Empty, $"{{frame_too_large,{payloadSize},{(long)frameMax - FrameLayout.Overhead}}}");

    public static AmqpFrameException InvalidFrameEnd(byte type, ushort channel, ReadOnlySequence<byte> payload, byte marker) =>
        FrameError(type, channel, payload, $"{{invalid_frame_end_marker,{marker}}}");

    /// <summary>An unknown frame type, or a known one whose payload cannot be that type's (rabbit_command_assembler:analyze_frame).</summary>
    public static AmqpFrameException UnknownFrame(byte type, ushort channel, ReadOnlySequence<byte> payload) =>
        FrameError(type, channel, payload, "unknown_frame");

    /// <summary>A well-formed frame that the connection or channel state does not allow (505 UNEXPECTED_FRAME).</summary>
    public static AmqpFrameException UnexpectedFrame(byte type, ushort channel, ReadOnlySequence<byte> payload) =>
        new(ReplyCode.UnexpectedFrame, $"type {type}, {Snippet(payload)}", channel);

    private static AmqpFrameException FrameError(byte type, ushort channel, ReadOnlySequence<byte> payload, string error) =>
        new(ReplyCode.FrameError, $"type {type}, {Snippet(payload)}: {error}", channel);

    // "all octets = <<...>>" or "first 16 octets = <<...>>", as rabbit_reader's payload_snippet.
    private static string Snippet(ReadOnlySequence<byte> payload)
    {
        Span<byte> snippet = stackalloc byte[SnippetSize];
        var length = (int)Math.Min(payload.Length, SnippetSize);
        payload.Slice(0, length).CopyTo(snippet);
        var which = payload.Length <= SnippetSize ? "all" : "first 16";
        return $"{which} octets = {ErlangTerms.PrettyBinary(snippet[..length])}";
    }
}
