using System.Globalization;
using System.Net;
using OrleansBroker.Gateway;

namespace OrleansBroker.Hosting.Configuration;

/// <summary>
/// Turns the settings of one rabbitmq.conf (keys already known and values checked against RabbitMQ's schemas)
/// into configuration values of the broker ("Gateway:HeartbeatSeconds" = "30") and warnings. The table
/// <see cref="Handlers"/> lists the keys it acts on; every other key RabbitMQ knows is reported as not
/// implemented. Some keys of features not built yet (resource alarms, connection_max, consumer_timeout) are kept in the options for those features and still reported as not implemented: their
/// entries call Keep, which warns; when a feature is built, its entries call Set instead.
/// </summary>
internal sealed class RabbitMQConfMapping
{
    private const string LogLevelKey = "Logging:Console:LogLevel:OrleansBroker";

    private static readonly Dictionary<string, Action<RabbitMQConfMapping, RabbitMQConfSetting>> Handlers = new(StringComparer.Ordinal)
    {
        ["listeners.tcp"] = (mapping, setting) => mapping._noTcpListeners = setting,
        ["listeners.tcp.$name"] = (mapping, setting) => mapping.AddTcpListener(setting),
        ["heartbeat"] = (mapping, setting) => mapping.Set(setting, Gateway(nameof(GatewayOptions.HeartbeatSeconds)), mapping.Integer(setting, 0, ushort.MaxValue)),
        ["frame_max"] = (mapping, setting) => mapping.Set(setting, Gateway(nameof(GatewayOptions.FrameMax)), mapping.ByteSize(setting, 0, uint.MaxValue)),
        ["channel_max"] = (mapping, setting) => mapping.Set(setting, Gateway(nameof(GatewayOptions.ChannelMax)), mapping.Integer(setting, 0, ushort.MaxValue)),
        ["max_message_size"] = (mapping, setting) => mapping.Set(setting, Gateway(nameof(GatewayOptions.MaxMessageSize)), mapping.Integer(setting, 0, long.MaxValue)),
        ["handshake_timeout"] = (mapping, setting) => mapping.Set(setting, Gateway(nameof(GatewayOptions.HandshakeTimeout)), mapping.Milliseconds(setting)),
        ["default_user"] = (mapping, setting) => mapping.Set(setting, Gateway(nameof(GatewayOptions.DefaultUser)), setting.Value),
        ["default_pass"] = (mapping, setting) => mapping.Set(setting, Gateway(nameof(GatewayOptions.DefaultPassword)), setting.Value),
        ["default_vhost"] = (mapping, setting) => mapping.Set(setting, Gateway(nameof(GatewayOptions.DefaultVirtualHost)), setting.Value),

        // Where queues without a locator argument live (queue_master_locator is 3.10's older name for it).
        ["queue_leader_locator"] = (mapping, setting) => mapping.Set(setting, $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.QueueLeaderLocator)}", setting.Value),
        ["queue_master_locator"] = (mapping, setting) => mapping.Set(setting, $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.QueueLeaderLocator)}", setting.Value),

        // Users who may log in only from loopback (see FinishLoopbackUsers).
        ["loopback_users"] = (mapping, setting) => mapping._loopbackNone = setting,
        ["loopback_users.$user"] = (mapping, setting) => mapping._loopbackUsers.Add(setting),

        // One log, on the console: both levels set it, the console's first (see Finish).
        ["log.console.level"] = (mapping, setting) => mapping._consoleLevel = setting,
        ["log.file.level"] = (mapping, setting) => mapping._fileLevel = setting,
        ["log.console"] = (mapping, setting) => mapping.WarnUnless(setting, setting.Value == "true", "the broker always logs to the console"),
        ["log.file"] = (mapping, setting) => mapping.WarnUnless(setting, setting.Value == "false", "the broker logs to the console only"),

        ["management.tcp.port"] = (mapping, setting) => mapping.Set(setting, Broker(nameof(BrokerOptions.ManagementPort)), mapping.Integer(setting, 0, ushort.MaxValue)),
        ["prometheus.tcp.port"] = (mapping, setting) => mapping.Set(setting, Broker(nameof(BrokerOptions.PrometheusPort)), mapping.Integer(setting, 0, ushort.MaxValue)),

        // Kept for features not built yet; reported as not implemented.
        ["connection_max"] = (mapping, setting) => mapping.Keep(setting, Gateway(nameof(GatewayOptions.ConnectionMax)),
            setting.Value == "infinity" ? null : mapping.Integer(setting, 0, int.MaxValue)),
        ["consumer_timeout"] = (mapping, setting) => mapping.Keep(setting, Gateway(nameof(GatewayOptions.ConsumerTimeout)), mapping.Milliseconds(setting)),
        ["vm_memory_high_watermark.relative"] = (mapping, setting) => mapping.KeepAlarmLimit(setting, ref mapping._memoryRelative),
        ["vm_memory_high_watermark.absolute"] = (mapping, setting) => mapping.KeepAlarmLimit(setting, ref mapping._memoryAbsolute),
        ["disk_free_limit.relative"] = (mapping, setting) => mapping.KeepAlarmLimit(setting, ref mapping._diskRelative),
        ["disk_free_limit.absolute"] = (mapping, setting) => mapping.KeepAlarmLimit(setting, ref mapping._diskAbsolute),
    };

    // RabbitMQ's information units (rabbit_resource_monitor_misc:parse_information_unit): k, M, G and the *iB forms
    // count in 1024s, kB, MB, GB in 1000s. RabbitMQ 3.10.8 fails on "KiB" though it takes "kiB" and "KIB"; taken here.
    private static readonly Dictionary<string, long> InformationUnits = new(StringComparer.Ordinal)
    {
        [""] = 1,
        ["k"] = 1L << 10, ["K"] = 1L << 10, ["kiB"] = 1L << 10, ["KiB"] = 1L << 10, ["kib"] = 1L << 10, ["KIB"] = 1L << 10,
        ["kB"] = 1000, ["KB"] = 1000, ["kb"] = 1000, ["Kb"] = 1000,
        ["m"] = 1L << 20, ["M"] = 1L << 20, ["MiB"] = 1L << 20, ["mib"] = 1L << 20, ["MIB"] = 1L << 20,
        ["MB"] = 1_000_000, ["mb"] = 1_000_000, ["Mb"] = 1_000_000,
        ["g"] = 1L << 30, ["G"] = 1L << 30, ["GiB"] = 1L << 30, ["gib"] = 1L << 30, ["GIB"] = 1L << 30,
        ["GB"] = 1_000_000_000, ["gb"] = 1_000_000_000, ["Gb"] = 1_000_000_000,
    };

    private readonly string _source;
    private readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, RabbitMQConfSetting> _origins = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(int Line, string Text)> _warnings = [];
    private readonly List<(RabbitMQConfSetting Setting, IPAddress? Address, int Port)> _tcpListeners = [];
    private readonly List<RabbitMQConfSetting> _loopbackUsers = [];
    private RabbitMQConfSetting? _noTcpListeners;
    private RabbitMQConfSetting? _loopbackNone;
    private RabbitMQConfSetting? _consoleLevel;
    private RabbitMQConfSetting? _fileLevel;
    private RabbitMQConfSetting? _memoryRelative;
    private RabbitMQConfSetting? _memoryAbsolute;
    private RabbitMQConfSetting? _diskRelative;
    private RabbitMQConfSetting? _diskAbsolute;

    private RabbitMQConfMapping(string source) => _source = source;

    /// <summary>The patterns of the keys the broker acts on (or keeps); the rest are reported as not implemented.</summary>
    public static IReadOnlyCollection<string> MappedPatterns => Handlers.Keys;

    /// <summary>
    /// The configuration values of <paramref name="settings"/>, the setting each came from, and the warnings, in file order (a key set twice
    /// takes its last value). Throws <see cref="BrokerConfigurationException"/> for a value the broker cannot take.
    /// </summary>
    public static (IReadOnlyDictionary<string, string?> Values, IReadOnlyDictionary<string, RabbitMQConfSetting> Origins, IReadOnlyList<string> Warnings) Map(
        IReadOnlyList<(RabbitMQConfSetting Setting, RabbitMQConfKey Key)> settings, string source)
    {
        var mapping = new RabbitMQConfMapping(source);
        foreach (var (setting, key) in settings)
        {
            if (Handlers.TryGetValue(key.Pattern, out var handle))
            {
                handle(mapping, setting);
            }
            else
            {
                mapping.WarnNotImplemented(setting);
            }
        }

        mapping.Finish();
        return (mapping._values, mapping._origins, mapping._warnings.OrderBy(warning => warning.Line).Select(warning => warning.Text).ToList());
    }

    private static string Gateway(string property) => $"{GatewayOptions.SectionName}:{property}";

    private static string Broker(string property) => $"{BrokerOptions.SectionName}:{property}";

    private void Set(RabbitMQConfSetting setting, string key, string? value)
    {
        _values[key] = value;
        _origins[key] = setting;
    }

    private void Keep(RabbitMQConfSetting setting, string key, string? value)
    {
        if (value is not null)
        {
            Set(setting, key, value);
        }

        WarnNotImplemented(setting);
    }

    private void KeepAlarmLimit(RabbitMQConfSetting setting, ref RabbitMQConfSetting? slot)
    {
        slot = setting;
        WarnNotImplemented(setting);
    }

    private void WarnNotImplemented(RabbitMQConfSetting setting, string? why = null) =>
        _warnings.Add((setting.Line, $"{_source} line {setting.Line}: '{setting.Key}' is not implemented yet and is ignored" + (why is null ? "" : $" ({why})")));

    private void WarnUnless(RabbitMQConfSetting setting, bool asTheBrokerDoes, string what)
    {
        if (!asTheBrokerDoes)
        {
            _warnings.Add((setting.Line, $"{_source} line {setting.Line}: '{setting.Key} = {setting.Value}' is not implemented yet and is ignored ({what})"));
        }
    }

    private BrokerConfigurationException Invalid(RabbitMQConfSetting setting, string why) =>
        new($"{_source} line {setting.Line}: {setting.Key} = {setting.Value}: {why}");

    private string Integer(RabbitMQConfSetting setting, long minimum, long maximum) =>
        long.TryParse(setting.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= minimum && number <= maximum
            ? number.ToString(CultureInfo.InvariantCulture)
            : throw Invalid(setting, $"must be between {minimum} and {maximum}");

    private string ByteSize(RabbitMQConfSetting setting, long minimum, long maximum) =>
        RabbitMQConfDatatype.TryParseByteSize(setting.Value, out var bytes) && bytes >= minimum && bytes <= maximum
            ? bytes.ToString(CultureInfo.InvariantCulture)
            : throw Invalid(setting, $"must be between {minimum} and {maximum} bytes");

    /// <summary>A time in milliseconds as RabbitMQ writes it, as a TimeSpan value; "infinity" is the longest TimeSpan.</summary>
    private string Milliseconds(RabbitMQConfSetting setting)
    {
        if (setting.Value == "infinity")
        {
            return TimeSpan.MaxValue.ToString("c", CultureInfo.InvariantCulture);
        }

        var milliseconds = long.Parse(Integer(setting, 0, (long)TimeSpan.MaxValue.TotalMilliseconds), CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(milliseconds).ToString("c", CultureInfo.InvariantCulture);
    }

    private void AddTcpListener(RabbitMQConfSetting setting)
    {
        IPAddress? address = null;
        long port;
        if (!long.TryParse(setting.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out port))
        {
            RabbitMQConfDatatype.TryParseIpAndPort(setting.Value, out var parsed, out port);
            address = parsed;
        }

        if (port is < 0 or > ushort.MaxValue)
        {
            throw Invalid(setting, $"port {port} is not between 0 and {ushort.MaxValue}");
        }

        _tcpListeners.RemoveAll(listener => listener.Setting.Key == setting.Key);
        _tcpListeners.Add((setting, address, (int)port));
    }

    private void Finish()
    {
        FinishTcpListeners();
        FinishLogLevel();
        FinishLoopbackUsers();

        // RabbitMQ takes the relative limit when a file sets both (its translations look at .relative first).
        if (_memoryRelative is not null)
        {
            Set(_memoryRelative, Broker(nameof(BrokerOptions.MemoryHighWatermarkRelative)), Ratio(_memoryRelative));
        }
        else if (_memoryAbsolute is not null)
        {
            Set(_memoryAbsolute, Broker(nameof(BrokerOptions.MemoryHighWatermarkBytes)), InformationSize(_memoryAbsolute));
        }

        if (_diskRelative is not null)
        {
            Set(_diskRelative, Broker(nameof(BrokerOptions.DiskFreeLimitRelative)), Ratio(_diskRelative));
        }
        else if (_diskAbsolute is not null)
        {
            Set(_diskAbsolute, Broker(nameof(BrokerOptions.DiskFreeLimitBytes)), InformationSize(_diskAbsolute));
        }
    }

    /// <summary>
    /// As RabbitMQ's schema translates them: "loopback_users = none" empties the list; otherwise, once any
    /// loopback_users.NAME is set, the list is the names set to true (so "loopback_users.guest = false" alone lets guest
    /// in from anywhere); with neither, the default (guest) stays.
    /// </summary>
    private void FinishLoopbackUsers()
    {
        var key = Gateway(nameof(GatewayOptions.LoopbackUsers));
        if (_loopbackNone is not null)
        {
            Set(_loopbackNone, key, "none");
        }
        else if (_loopbackUsers.Count > 0)
        {
            var users = _loopbackUsers.Where(s => s.Value == "true").Select(s => s.Key["loopback_users.".Length..]).Distinct(StringComparer.Ordinal).ToList();
            Set(_loopbackUsers[^1], key, users.Count == 0 ? "none" : string.Join(',', users));
        }
    }

    private void FinishTcpListeners()
    {
        if (_noTcpListeners is not null)
        {
            WarnUnless(_noTcpListeners, false, "the broker always has its AMQP listener");
        }

        if (_tcpListeners.Count == 0)
        {
            return;
        }

        // Listeners on every IPv4 and every IPv6 address with one port are what "*" (dual-stack) does.
        var port = _tcpListeners[0].Port;
        if (_tcpListeners.All(listener => listener.Port == port && (listener.Address is null || IsAnyAddress(listener.Address))))
        {
            Set(_tcpListeners[0].Setting, Broker(nameof(BrokerOptions.AmqpPort)), port.ToString(CultureInfo.InvariantCulture));
            Set(_tcpListeners[0].Setting, Broker(nameof(BrokerOptions.Bind)), _tcpListeners.Count == 1 && _tcpListeners[0].Address is { } only ? only.ToString() : "*");
            return;
        }

        var (first, address, firstPort) = _tcpListeners[0];
        Set(first, Broker(nameof(BrokerOptions.AmqpPort)), firstPort.ToString(CultureInfo.InvariantCulture));
        Set(first, Broker(nameof(BrokerOptions.Bind)), address?.ToString() ?? "*");
        foreach (var (other, _, _) in _tcpListeners.Skip(1))
        {
            WarnNotImplemented(other, $"the broker has one AMQP listener: {first.Key} = {first.Value}");
        }
    }

    private static bool IsAnyAddress(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private void FinishLogLevel()
    {
        var level = _consoleLevel ?? _fileLevel;
        if (level is null)
        {
            return;
        }

        if (_consoleLevel is not null && _fileLevel is not null && _fileLevel.Value != _consoleLevel.Value)
        {
            WarnNotImplemented(_fileLevel, $"the broker has one log, on the console: {_consoleLevel.Key} = {_consoleLevel.Value} sets its level");
        }

        // RabbitMQ's levels (syslog's) onto .NET's; the lager-style filters of log.file.level ("<warning") have no equivalent.
        var logLevel = level.Value switch
        {
            "debug" => "Debug",
            "info" or "notice" => "Information",
            "warning" => "Warning",
            "error" => "Error",
            "critical" or "alert" or "emergency" => "Critical",
            "none" => "None",
            _ => null,
        };
        if (logLevel is null)
        {
            WarnUnless(level, false, "levels with =, != or < are not supported");
            return;
        }

        Set(level, LogLevelKey, logLevel);
    }

    private string Ratio(RabbitMQConfSetting setting) =>
        double.TryParse(setting.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio >= 0
            ? ratio.ToString("R", CultureInfo.InvariantCulture)
            : throw Invalid(setting, "must not be negative");

    private string InformationSize(RabbitMQConfSetting setting)
    {
        var digits = setting.Value.TakeWhile(char.IsAsciiDigit).Count();
        if (digits > 0
            && InformationUnits.TryGetValue(setting.Value[digits..], out var unit)
            && long.TryParse(setting.Value.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count <= long.MaxValue / unit)
        {
            return (count * unit).ToString(CultureInfo.InvariantCulture);
        }

        throw Invalid(setting, "expected a number of bytes, optionally with a unit (k, M, G, kB, MB, GB, kiB, MiB, GiB)");
    }
}
