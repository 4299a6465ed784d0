namespace OrleansBroker.Hosting.Configuration;

/// <summary>
/// The broker's command-line switches, each "--name value" or "--name=value" setting one configuration key.
/// <see cref="Table"/> is the one place a switch is added. Anything else on the command line (an unknown
/// switch, a switch without a value, a bare word) stops the start: a mistyped switch must not be ignored.
/// </summary>
internal static class CommandLineSwitches
{
    /// <summary>Where --config puts the JSON file's path: read to find the file, not a setting of its own.</summary>
    public const string JsonFilePathKey = "config";

    /// <summary>Where --rabbitmq-conf puts the rabbitmq.conf path: read to find the file, not a setting of its own.</summary>
    public const string RabbitMQConfPathKey = "rabbitmq-conf";

    // Switch -> configuration key. The Broker: keys without a BrokerOptions property yet are the Orleans
    // hosting's (cluster, node, ports); the binder leaves keys it does not know alone.
    public static readonly IReadOnlyDictionary<string, string> Table = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["--amqp-port"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.AmqpPort)}",
        ["--bind"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.Bind)}",
        ["--data-dir"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.DataDir)}",
        ["--postgres"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.PostgresConnectionString)}",
        ["--config"] = JsonFilePathKey,
        ["--rabbitmq-conf"] = RabbitMQConfPathKey,
        ["--cluster"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.Cluster)}",
        ["--node"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.NodeName)}",
        ["--silo-port"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.SiloPort)}",
        ["--orleans-gateway-port"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.OrleansGatewayPort)}",
        ["--advertise"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.AdvertiseAddress)}",
        ["--dashboard-port"] = "Broker:DashboardPort",
        ["--management-port"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.ManagementPort)}",
        ["--prometheus-port"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.PrometheusPort)}",
    };

    /// <summary>The switches of a gateway-only node (src/Gateway): it has no data, no silo and no node name of its own.</summary>
    public static readonly IReadOnlyDictionary<string, string> GatewayNodeTable =
        new[] { "--amqp-port", "--bind", "--config", "--rabbitmq-conf", "--cluster" }.ToDictionary(name => name, name => Table[name], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The configuration values the arguments set (a switch given twice takes its last value).
    /// Throws <see cref="BrokerConfigurationException"/> for anything that is not a known switch with a value.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(IReadOnlyList<string> arguments) => Parse(arguments, Table);

    /// <summary>As <see cref="Parse(IReadOnlyList{string})"/>, knowing only the switches of <paramref name="table"/>.</summary>
    public static IReadOnlyDictionary<string, string> Parse(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> table)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (!argument.StartsWith("--", StringComparison.Ordinal))
            {
                throw new BrokerConfigurationException($"unexpected argument '{argument}' (switches are written --name value); known switches: {KnownSwitches(table)}");
            }

            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? argument : argument[..equals];
            if (!table.TryGetValue(name, out var key))
            {
                throw new BrokerConfigurationException($"unknown switch '{name}'; known switches: {KnownSwitches(table)}");
            }

            if (equals >= 0)
            {
                values[key] = argument[(equals + 1)..];
            }
            else if (i + 1 < arguments.Count && !arguments[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                values[key] = arguments[++i];
            }
            else
            {
                throw new BrokerConfigurationException($"switch '{name}' needs a value ({name} VALUE)");
            }
        }

        return values;
    }

    private static string KnownSwitches(IReadOnlyDictionary<string, string> table) => string.Join(", ", table.Keys);
}
