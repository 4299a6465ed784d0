namespace OrleansBroker.Hosting.Configuration;

/// <summary>
/// A rabbitmq.conf read for the broker: found as RabbitMQ finds it, parsed, every key checked against the keys
/// RabbitMQ knows and every value against their datatypes, then mapped onto the broker's configuration keys.
/// </summary>
internal sealed class RabbitMQConfFile
{
    private RabbitMQConfFile(string path, IReadOnlyDictionary<string, string?> values, IReadOnlyDictionary<string, RabbitMQConfSetting> origins, IReadOnlyList<string> warnings)
    {
        Path = path;
        Values = values;
        Origins = origins;
        Warnings = warnings;
    }

    public string Path { get; }

    /// <summary>Configuration values ("Gateway:HeartbeatSeconds" = "30").</summary>
    public IReadOnlyDictionary<string, string?> Values { get; }

    /// <summary>The setting each of <see cref="Values"/> comes from.</summary>
    public IReadOnlyDictionary<string, RabbitMQConfSetting> Origins { get; }

    /// <summary>One line each, with the file's name and the line's number: keys not implemented and ignored.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// The file a path names, as RABBITMQ_CONFIG_FILE is read: the path itself, or with ".conf" added
    /// ("/etc/rabbitmq/rabbitmq" names /etc/rabbitmq/rabbitmq.conf); null when neither exists. A classic
    /// Erlang-term file (rabbitmq.config) is refused: the broker reads only the rabbitmq.conf format.
    /// </summary>
    public static string? Locate(string path)
    {
        var classic = path.EndsWith(".config", StringComparison.Ordinal) ? path : path + ".config";
        if (path.EndsWith(".config", StringComparison.Ordinal) || (!File.Exists(path) && !File.Exists(path + ".conf")))
        {
            if (File.Exists(classic))
            {
                throw new BrokerConfigurationException($"{classic} is a classic Erlang-term RabbitMQ configuration; OrleansBroker reads only the rabbitmq.conf format (key = value)");
            }
        }

        return File.Exists(path) ? path : File.Exists(path + ".conf") ? path + ".conf" : null;
    }

    public static RabbitMQConfFile Load(string path) => Read(File.ReadAllText(path), path);

    /// <summary>The settings of a rabbitmq.conf's text; <paramref name="path"/> names it in messages.</summary>
    public static RabbitMQConfFile Read(string text, string path)
    {
        var settings = RabbitMQConfParser.Parse(text, path);
        var known = new List<(RabbitMQConfSetting, RabbitMQConfKey)>(settings.Count);
        foreach (var setting in settings)
        {
            var key = RabbitMQConfKeys.Find(setting.Segments);
            if (key is null)
            {
                var suggestion = RabbitMQConfKeys.Suggest(setting.Key, setting.Segments);
                throw new BrokerConfigurationException(
                    $"{path} line {setting.Line}: unknown key '{setting.Key}': RabbitMQ {RabbitMQConfKeys.RabbitMQVersion} has no such setting"
                    + (suggestion is null ? "" : $" (did you mean '{suggestion}'?)"));
            }

            if (key.Refusal(setting.Value) is { } refusal)
            {
                throw new BrokerConfigurationException($"{path} line {setting.Line}: {setting.Key} = {setting.Value}: {refusal}");
            }

            known.Add((setting, key));
        }

        var (values, origins, warnings) = RabbitMQConfMapping.Map(known, path);
        return new RabbitMQConfFile(path, values, origins, warnings);
    }
}
