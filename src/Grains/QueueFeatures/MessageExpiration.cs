using System.Globalization;
using System.Numerics;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// The expiration property (per-message TTL) read as RabbitMQ 3.10 reads it at basic.publish (rabbit_basic:
/// parse_expiration): an optional sign and decimal digits, nothing before or after, 0 to ten years in milliseconds.
/// A bad one closes the channel with 406 "invalid expiration '10abc': {leftover_string,\"abc\"}" (texts observed on
/// the reference broker).
/// </summary>
public static class MessageExpiration
{
    /// <summary>Throws <see cref="BrokerException"/> 406 with RabbitMQ's text when the expiration is not acceptable.</summary>
    public static void Validate(string expiration)
    {
        if (FindError(expiration) is { } detail)
        {
            throw BrokerException.PreconditionFailed(detail);
        }
    }

    /// <summary>The reply text after "PRECONDITION_FAILED - ", or null when the expiration is acceptable.</summary>
    public static string? FindError(string expiration)
    {
        var prefix = $"invalid expiration '{expiration}': ";
        return Read(expiration, out _) switch
        {
            Outcome.Valid => null,
            Outcome.NoInteger => prefix + "no_integer",
            Outcome.Leftover => prefix + ErlangTupleText.Format(prefix, "leftover_string", ErlangStringText.Format(expiration[LeftoverStart(expiration)..])),
            Outcome.Negative => prefix + ErlangTupleText.Format(prefix, "value_negative", Number(expiration)),
            _ => prefix + ErlangTupleText.Format(prefix, "value_too_large", Number(expiration)),
        };
    }

    /// <summary>The TTL in milliseconds of an acceptable expiration; false for one <see cref="FindError"/> refuses.</summary>
    public static bool TryParse(string expiration, out long milliseconds) => Read(expiration, out milliseconds) == Outcome.Valid;

    /// <summary>The TTL of a message whose expiration was accepted at publish; null when it has none.</summary>
    public static long? Milliseconds(string? expiration) =>
        expiration is null ? null
        : TryParse(expiration, out var milliseconds) ? milliseconds
        : throw new FormatException($"invalid expiration '{expiration}'");

    private enum Outcome
    {
        Valid,
        NoInteger,
        Leftover,
        Negative,
        TooLarge,
    }

    // string:to_integer/1: an optional + or -, then at least one ASCII digit; the rest must be empty.
    private static Outcome Read(string text, out long milliseconds)
    {
        milliseconds = 0;
        var start = text.Length > 0 && text[0] is '+' or '-' ? 1 : 0;
        var end = LeftoverStart(text);
        if (end == start)
        {
            return Outcome.NoInteger;
        }

        if (end != text.Length)
        {
            return Outcome.Leftover;
        }

        var value = BigInteger.Parse(text.AsSpan(0, end), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (value.Sign < 0)
        {
            return Outcome.Negative;
        }

        if (value > QueueArgumentValidation.MaxExpiry)
        {
            return Outcome.TooLarge;
        }

        milliseconds = (long)value;
        return Outcome.Valid;
    }

    private static int LeftoverStart(string text)
    {
        var index = text.Length > 0 && text[0] is '+' or '-' ? 1 : 0;
        while (index < text.Length && text[index] is >= '0' and <= '9')
        {
            index++;
        }

        return index;
    }

    private static string Number(string text) =>
        BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
}
