using System.Globalization;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// The max-age of a stream ("7D", "12h"): a positive number and one unit of Y, M, D, h, m, s, as
/// rabbit_amqqueue:check_max_age reads it. Only validated here (policy "max-age", argument x-max-age), since streams
/// are not supported; a well-formed value is accepted so definitions exported from RabbitMQ import.
/// </summary>
public static class StreamMaxAge
{
    public static bool TryParse(string text, out long milliseconds)
    {
        milliseconds = 0;
        var digits = 0;
        while (digits < text.Length && text[digits] is >= '0' and <= '9')
        {
            digits++;
        }

        if (digits == 0 || digits != text.Length - 1
            || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            return false;
        }

        long? unit = text[^1] switch
        {
            'Y' => 365L * 24 * 3600 * 1000,
            'M' => 30L * 24 * 3600 * 1000,
            'D' => 24L * 3600 * 1000,
            'h' => 3600L * 1000,
            'm' => 60L * 1000,
            's' => 1000L,
            _ => null,
        };
        if (unit is not { } unitMilliseconds)
        {
            return false;
        }

        // Erlang integers do not overflow; a max-age beyond long's range means "keep everything" just the same.
        milliseconds = value > long.MaxValue / unitMilliseconds ? long.MaxValue : value * unitMilliseconds;
        return true;
    }
}
