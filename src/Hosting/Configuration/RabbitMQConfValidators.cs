using System.Globalization;
using System.Numerics;

namespace OrleansBroker.Hosting.Configuration;

/// <summary>
/// The named checks rabbitmq.conf schemas attach to some keys, run once a datatype has accepted the value,
/// with RabbitMQ 3.10.8's own descriptions as their error texts (the validator entries of rabbit.schema and
/// rabbitmq_auth_backend_oauth2.schema).
/// </summary>
internal static class RabbitMQConfValidators
{
    private static readonly Dictionary<string, (string Description, Func<string, bool>? Check)> ByName = new(StringComparer.Ordinal)
    {
        ["byte"] = ("Integer must be in the range [0, 255]", value => IntegerBetween(value, 0, 255)),
        ["less_than_1"] = ("Float is not between 0 and 1", value => FloatBetweenZeroAndOne(value)),
        ["max_message_size"] = ("Max message size should be between 0 and 512MB", value => IntegerBetween(value, 1, 536_870_912)),
        ["mirroring_sync_batch_size"] = ("Batch size should be greater than 0 and less than 1M",
            value => RabbitMQConfDatatype.TryParseByteSize(value, out var size) && size is > 0 and <= 1_000_000),
        ["non_negative_integer"] = ("number should be greater or equal to zero", value => IntegerBetween(value, 0, null)),
        ["non_zero_positive_integer"] = ("number should be greater or equal to one", value => IntegerBetween(value, 1, null)),

        // RabbitMQ's check is 0 < port < 65535: 65535 itself is refused.
        ["port"] = ("Invalid port number", value => IntegerBetween(value, 1, 65_534)),
        ["is_ip"] = ("value should be a valid IP address", value => RabbitMQConfDatatype.TryParseIpAddress(value, out _)),
        ["https_uri"] = ("According to the JWT Specification, Key Server URL must be https.",
            value => value.StartsWith("https://", StringComparison.Ordinal)),

        // Checks of the file system, for certificates, definitions and log directories of features OrleansBroker
        // does not have: the files are meant for a RabbitMQ node (and its user), so they are not looked at here.
        ["file_accessible"] = ("file does not exist or cannot be read by the node", null),
        ["dir_writable"] = ("Directory must be writable", null),
        ["is_dir"] = ("is not directory", null),

        // Named by rabbitmq_auth_backend_http's schema but defined nowhere in RabbitMQ 3.10.8: cuttlefish then checks nothing.
        ["uri"] = ("not a URI", null),
    };

    public static bool IsKnown(string name) => ByName.ContainsKey(name);

    /// <summary>The description of the first of <paramref name="names"/> that refuses the value, or null.</summary>
    public static string? FirstFailure(IReadOnlyList<string> names, string value)
    {
        foreach (var name in names)
        {
            var (description, check) = ByName[name];
            if (check is not null && !check(value))
            {
                return description;
            }
        }

        return null;
    }

    private static bool IntegerBetween(string value, long minimum, long? maximum) =>
        BigInteger.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
        && number >= minimum
        && (maximum is null || number <= maximum.Value);

    private static bool FloatBetweenZeroAndOne(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number is > 0 and < 1;
}
