using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace OrleansBroker.Hosting.Configuration;

/// <summary>
/// A value syntax of rabbitmq.conf: what cuttlefish, the library RabbitMQ reads the file with, accepts for a
/// datatype named in a schema. A key accepts a value when one of its datatypes does. The rules were checked
/// against cuttlefish 3.0.1 as RabbitMQ 3.10.8 ships it (cuttlefish_datatypes:from_string).
/// </summary>
internal sealed partial class RabbitMQConfDatatype
{
    private readonly Func<string, bool> _accepts;

    private RabbitMQConfDatatype(string description, Func<string, bool> accepts)
    {
        Description = description;
        _accepts = accepts;
    }

    /// <summary>What the datatype accepts, in words, for error messages ("an integer").</summary>
    public string Description { get; }

    /// <summary>A decimal integer with an optional sign (Erlang's list_to_integer).</summary>
    public static RabbitMQConfDatatype Integer { get; } = new("an integer", value => IntegerSyntax().IsMatch(value));

    /// <summary>A number with a decimal point: cuttlefish refuses "1" where a float is expected.</summary>
    public static RabbitMQConfDatatype Float { get; } = new("a number with a decimal point (0.4)", value => FloatSyntax().IsMatch(value));

    public static RabbitMQConfDatatype Text { get; } = new("a string", _ => true);

    /// <summary>An Erlang atom: any text is one.</summary>
    public static RabbitMQConfDatatype Atom { get; } = new("a name", _ => true);

    public static RabbitMQConfDatatype FilePath { get; } = new("a file path", _ => true);

    public static RabbitMQConfDatatype IpAndPort { get; } = new("an address and port (127.0.0.1:5672, ::1:5672)", value => TryParseIpAndPort(value, out _, out _));

    public static RabbitMQConfDatatype ByteSize { get; } = new("a size (131072, 128KB, 1MB, 1GB)", value => TryParseByteSize(value, out _));

    public static RabbitMQConfDatatype Flag { get; } = new("on or off", value => value is "on" or "off");

    public static RabbitMQConfDatatype DurationMilliseconds { get; } = new("a duration (500ms, 10s, 5m, 1h30m)", value => DurationSyntax().IsMatch(value));

    /// <summary>One of the given words, exactly (cuttlefish's enums are case-sensitive).</summary>
    public static RabbitMQConfDatatype OneOf(params string[] values) =>
        new("one of " + string.Join(", ", values), value => Array.IndexOf(values, value) >= 0);

    public bool Accepts(string value) => _accepts(value);

    /// <summary>
    /// cuttlefish's ip datatype: "address:port", split at the last colon, so IPv6 is written without brackets
    /// ("::1:5672"). The address must be an IP literal (host names are refused); the port a non-negative integer ("+5" too).
    /// </summary>
    public static bool TryParseIpAndPort(string value, out IPAddress address, out long port)
    {
        address = IPAddress.None;
        port = 0;
        var colon = value.LastIndexOf(':');
        if (colon <= 0
            || !PortSyntax().IsMatch(value.AsSpan(colon + 1))
            || !long.TryParse(value.AsSpan(colon + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out port)
            || !TryParseIpAddress(value.AsSpan(0, colon), out var parsed))
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>An IP address as Erlang's inet:parse_address reads it: .NET's parser, without the brackets it also takes.</summary>
    public static bool TryParseIpAddress(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains('[') || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>
    /// cuttlefish's bytesize: a number of bytes, or of KB, MB, GB (powers of 1024, any case). cuttlefish also takes
    /// fractions ("1.5MB"); no key we map would accept the result, so they are refused here.
    /// </summary>
    public static bool TryParseByteSize(string value, out long bytes)
    {
        bytes = 0;
        var match = ByteSizeSyntax().Match(value);
        if (!match.Success || !long.TryParse(match.Groups["count"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return false;
        }

        var unit = match.Groups["unit"].Value.ToUpperInvariant() switch
        {
            "KB" => 1024L,
            "MB" => 1024L * 1024,
            "GB" => 1024L * 1024 * 1024,
            _ => 1L,
        };
        if (count > long.MaxValue / unit)
        {
            return false;
        }

        bytes = count * unit;
        return true;
    }

    [GeneratedRegex("^[+-]?[0-9]+$")]
    private static partial Regex IntegerSyntax();

    [GeneratedRegex("^[+-]?[0-9]+\\.[0-9]+([eE][+-]?[0-9]+)?$")]
    private static partial Regex FloatSyntax();

    [GeneratedRegex("^\\+?[0-9]+$")]
    private static partial Regex PortSyntax();

    [GeneratedRegex("^(?<count>[0-9]+)(?<unit>[kKmMgG][bB])?$")]
    private static partial Regex ByteSizeSyntax();

    // cuttlefish_duration: amounts with units, largest first or not, fractions allowed ("1.5s"); f is a fortnight.
    [GeneratedRegex("^([0-9]+(\\.[0-9]+)?(ms|f|w|d|h|m|s))+$")]
    private static partial Regex DurationSyntax();
}
