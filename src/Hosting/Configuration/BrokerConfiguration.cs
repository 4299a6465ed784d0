using System.Collections;
using Microsoft.Extensions.Configuration;
using OrleansBroker.Gateway;

namespace OrleansBroker.Hosting.Configuration;

/// <summary>
/// The broker's configuration, put together from its sources in one order, each later one winning:
/// <list type="number">
/// <item>a rabbitmq.conf: --rabbitmq-conf PATH, or else the RABBITMQ_CONFIG_FILE environment variable (with or without ".conf");</item>
/// <item>the JSON file: --config PATH, or else orleansbroker.json in the working directory when there is one;</item>
/// <item>the environment: RABBITMQ_DEFAULT_USER, RABBITMQ_DEFAULT_PASS and RABBITMQ_DEFAULT_VHOST (as RabbitMQ's
/// container image reads them), then ORLEANSBROKER_Section__Key variables;</item>
/// <item>the command-line switches (<see cref="CommandLineSwitches"/>).</item>
/// </list>
/// Problems stop the start (<see cref="BrokerConfigurationException"/>); settings recognised but not acted on
/// are <see cref="Warnings"/> to log.
/// </summary>
public sealed class BrokerConfiguration
{
    public const string EnvironmentPrefix = "ORLEANSBROKER_";

    // RabbitMQ's environment variables the broker honours, and the keys they set.
    private static readonly Dictionary<string, string> RabbitMQEnvironment = new(StringComparer.Ordinal)
    {
        ["RABBITMQ_DEFAULT_USER"] = $"{GatewayOptions.SectionName}:{nameof(GatewayOptions.DefaultUser)}",
        ["RABBITMQ_DEFAULT_PASS"] = $"{GatewayOptions.SectionName}:{nameof(GatewayOptions.DefaultPassword)}",
        ["RABBITMQ_DEFAULT_VHOST"] = $"{GatewayOptions.SectionName}:{nameof(GatewayOptions.DefaultVirtualHost)}",
    };

    private BrokerConfiguration(IConfigurationRoot configuration, IReadOnlyList<string> sources, IReadOnlyList<string> warnings, IReadOnlyList<string> overrides)
    {
        Configuration = configuration;
        Sources = sources;
        Warnings = warnings;
        Overrides = overrides;
        var managementPort = ListenerPort(configuration, $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.ManagementPort)}", DefaultManagementPort);
        var prometheusPort = ListenerPort(configuration, $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.PrometheusPort)}", DefaultPrometheusPort);
        Broker = new BrokerOptions();
        configuration.GetSection(BrokerOptions.SectionName).Bind(Broker);
        Broker.ManagementPort = managementPort;
        Broker.PrometheusPort = prometheusPort;
        Gateway = new GatewayOptions();
        configuration.GetSection(GatewayOptions.SectionName).Bind(Gateway);
    }

    /// <summary>The management API's port when nothing sets one: on by default, as the issue asks (RabbitMQ needs its plugin enabled).</summary>
    public const int DefaultManagementPort = 15672;

    /// <summary>The Prometheus endpoint's port when nothing sets one (RabbitMQ's rabbitmq_prometheus port).</summary>
    public const int DefaultPrometheusPort = 15692;

    /// <summary>All the settings, for the host (which binds its options from it).</summary>
    public IConfigurationRoot Configuration { get; }

    public BrokerOptions Broker { get; }

    /// <summary>The gateway's options as the host will bind them: bound here too so a bad value stops the start at once.</summary>
    public GatewayOptions Gateway { get; }

    /// <summary>The files read, in order ("rabbitmq.conf /etc/rabbitmq/rabbitmq.conf").</summary>
    public IReadOnlyList<string> Sources { get; }

    /// <summary>One line each: settings recognised but not implemented, and ignored.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// One line each: rabbitmq.conf settings a later source changes ("rabbitmq.conf line 3: heartbeat = 30 is
    /// overridden by the command line (...)"): the file comes first, so a copied JSON example silently shadows it.
    /// </summary>
    public IReadOnlyList<string> Overrides { get; }

    /// <summary>The configuration of this process: its command line and environment.</summary>
    public static BrokerConfiguration Load(IReadOnlyList<string> arguments) => Load(arguments, ProcessEnvironment());

    /// <summary>The configuration given a command line and an environment (tests pass their own).</summary>
    public static BrokerConfiguration Load(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment) =>
        Load(arguments, environment, CommandLineSwitches.Table);

    /// <summary>The configuration of a gateway-only node (src/Gateway), which knows fewer switches than a silo.</summary>
    public static BrokerConfiguration LoadGatewayNode(IReadOnlyList<string> arguments) => LoadGatewayNode(arguments, ProcessEnvironment());

    /// <summary>As <see cref="LoadGatewayNode(IReadOnlyList{string})"/>, given an environment (tests pass their own).</summary>
    public static BrokerConfiguration LoadGatewayNode(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment) =>
        Load(arguments, environment, CommandLineSwitches.GatewayNodeTable);

    private static Dictionary<string, string> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(entry => (string)entry.Key, entry => (string?)entry.Value ?? "", StringComparer.Ordinal);

    private static BrokerConfiguration Load(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string> switchTable)
    {
        var switches = CommandLineSwitches.Parse(arguments, switchTable);
        var sources = new List<string>();
        var warnings = new List<string>();
        var builder = new ConfigurationBuilder();

        // What each configuration provider is, for saying which source overrides the rabbitmq.conf.
        var sourceNames = new List<string>();
        void Add(IEnumerable<KeyValuePair<string, string?>> values, string name)
        {
            builder.AddInMemoryCollection(values);
            sourceNames.Add(name);
        }

        RabbitMQConfFile? rabbitMQConf = null;
        if (FindRabbitMQConf(switches, environment, warnings) is { } rabbitMQConfPath)
        {
            rabbitMQConf = RabbitMQConfFile.Load(rabbitMQConfPath);
            Add(rabbitMQConf.Values, rabbitMQConfPath);
            warnings.AddRange(rabbitMQConf.Warnings);
            sources.Add($"rabbitmq.conf {rabbitMQConfPath}");
        }

        var jsonPath = Path.GetFullPath(switches.GetValueOrDefault(CommandLineSwitches.JsonFilePathKey) ?? "orleansbroker.json");
        var jsonGiven = switches.ContainsKey(CommandLineSwitches.JsonFilePathKey);
        if (jsonGiven && !File.Exists(jsonPath))
        {
            throw new BrokerConfigurationException($"--config names {jsonPath}, which does not exist");
        }

        if (File.Exists(jsonPath))
        {
            builder.AddJsonFile(jsonPath, optional: false);
            sourceNames.Add($"the JSON file {jsonPath}");
            sources.Add($"JSON {jsonPath}");
        }

        Add(RabbitMQEnvironment
            .Where(variable => environment.ContainsKey(variable.Key))
            .Select(variable => KeyValuePair.Create(variable.Value, (string?)environment[variable.Key])), "the environment (RABBITMQ_DEFAULT_*)");

        // As AddEnvironmentVariables(prefix) reads them (prefix in any case, "__" for ':'), from the given environment.
        Add(environment
            .Where(variable => variable.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(variable => KeyValuePair.Create(variable.Key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), (string?)variable.Value)),
            $"the environment ({EnvironmentPrefix}*)");

        Add(switches
            .Where(value => value.Key is not CommandLineSwitches.JsonFilePathKey and not CommandLineSwitches.RabbitMQConfPathKey)
            .Select(value => KeyValuePair.Create(value.Key, (string?)value.Value)), "the command line");

        var configuration = builder.Build();
        var overrides = rabbitMQConf is null ? [] : Overridden(rabbitMQConf, configuration, sourceNames);
        return new BrokerConfiguration(configuration, sources, warnings, overrides);
    }

    // A listener's port: the default when unset, null for "off" / "none" (blanked, so the binder reads it as unset).
    private static int? ListenerPort(IConfigurationRoot configuration, string key, int defaultPort)
    {
        var value = configuration[key];
        if (value is null)
        {
            return defaultPort;
        }

        if (value is "" || value.Equals("off", StringComparison.OrdinalIgnoreCase) || value.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            configuration[key] = "";
            return null;
        }

        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port <= ushort.MaxValue
            ? port
            : throw new BrokerConfigurationException($"{key} must be a port number (0: any free port) or off, not '{value}'");
    }

    // The rabbitmq.conf's provider is the first; the last provider holding a key is the one whose value counts.
    private static List<string> Overridden(RabbitMQConfFile rabbitMQConf, IConfigurationRoot configuration, List<string> sourceNames)
    {
        var providers = configuration.Providers.ToList();
        var overrides = new List<string>();
        foreach (var (key, value) in rabbitMQConf.Values.OrderBy(value => rabbitMQConf.Origins[value.Key].Line))
        {
            var winner = providers.FindLastIndex(provider => provider.TryGet(key, out _));
            if (winner > 0 && providers[winner].TryGet(key, out var final) && final != value)
            {
                var setting = rabbitMQConf.Origins[key];
                overrides.Add($"{rabbitMQConf.Path} line {setting.Line}: {setting.Key} = {setting.Value} is overridden by {sourceNames[winner]} ({key} = {final})");
            }
        }

        return overrides;
    }

    // The switch must name a file that exists; RABBITMQ_CONFIG_FILE naming none is a warning, as RabbitMQ starts without it.
    private static string? FindRabbitMQConf(IReadOnlyDictionary<string, string> switches, IReadOnlyDictionary<string, string> environment, List<string> warnings)
    {
        if (switches.TryGetValue(CommandLineSwitches.RabbitMQConfPathKey, out var given))
        {
            return RabbitMQConfFile.Locate(given)
                ?? throw new BrokerConfigurationException($"--rabbitmq-conf names {given}, which does not exist (nor {given}.conf)");
        }

        if (environment.TryGetValue("RABBITMQ_CONFIG_FILE", out var variable) && variable.Length > 0)
        {
            var found = RabbitMQConfFile.Locate(variable);
            if (found is null)
            {
                warnings.Add($"RABBITMQ_CONFIG_FILE names {variable}, which does not exist (nor {variable}.conf): no rabbitmq.conf read");
            }

            return found;
        }

        return null;
    }
}
