using OrleansBroker.Hosting.Configuration;

namespace OrleansBroker.Tests.Configuration;

/// <summary>The generated table of RabbitMQ's keys, and the mapping that refers to it.</summary>
public sealed class RabbitMQConfKeysTests
{
    [Fact]
    public void Every_validator_the_schemas_name_is_one_the_broker_knows()
    {
        var unknown = RabbitMQConfKeys.All.SelectMany(key => key.Validators).Distinct().Where(name => !RabbitMQConfValidators.IsKnown(name));

        Assert.Empty(unknown);
    }

    [Fact]
    public void Every_pattern_appears_once()
    {
        var repeated = RabbitMQConfKeys.All.GroupBy(key => key.Pattern).Where(group => group.Count() > 1).Select(group => group.Key);

        Assert.Empty(repeated);
    }

    // A mapping entry whose pattern is not in the table would never run: its key would be refused as unknown.
    [Fact]
    public void Every_mapped_pattern_is_a_key_RabbitMQ_knows()
    {
        var patterns = RabbitMQConfKeys.All.Select(key => key.Pattern).ToHashSet(StringComparer.Ordinal);

        var unknown = RabbitMQConfMapping.MappedPatterns.Where(pattern => !patterns.Contains(pattern)).ToList();

        Assert.Empty(unknown);
    }

    [Theory]
    [InlineData("listeners.tcp.default", "listeners.tcp.$name", "rabbit")]
    [InlineData("listeners.tcp", "listeners.tcp", "rabbit")]
    [InlineData("listeners.ssl.default", "listeners.ssl.$name", "rabbit")]
    [InlineData("loopback_users.guest", "loopback_users.$user", "rabbit")]
    [InlineData("management.tcp.port", "management.tcp.port", "rabbitmq_management")]
    [InlineData("prometheus.tcp.port", "prometheus.tcp.port", "rabbitmq_prometheus")]
    [InlineData("cluster_formation.k8s.host", "cluster_formation.k8s.host", "rabbitmq_peer_discovery_k8s")]
    [InlineData("cluster_formation.classic_config.nodes.2", "cluster_formation.classic_config.nodes.$node", "rabbit")]
    [InlineData("ssl_options.versions.1", "ssl_options.versions.$version", "rabbit")]
    [InlineData("log.file.level", "log.file.level", "rabbit")]
    public void Keys_find_their_definition_and_schema(string key, string pattern, string schema)
    {
        var found = RabbitMQConfKeys.Find(key.Split('.'));

        Assert.NotNull(found);
        Assert.Equal(pattern, found.Pattern);
        Assert.Equal(schema, found.Schema);
    }

    // Find takes the first pattern that matches: that is only right while no two patterns match the same key.
    [Fact]
    public void No_two_patterns_match_the_same_key()
    {
        static bool Overlap(string[] a, string[] b) =>
            a.Length == b.Length && a.Zip(b).All(pair => pair.First.StartsWith('$') || pair.Second.StartsWith('$') || pair.First == pair.Second);

        var patterns = RabbitMQConfKeys.All.Select(key => key.Pattern.Split('.')).ToList();
        var overlapping =
            from i in Enumerable.Range(0, patterns.Count)
            from j in Enumerable.Range(i + 1, patterns.Count - i - 1)
            where Overlap(patterns[i], patterns[j])
            select (string.Join('.', patterns[i]), string.Join('.', patterns[j]));

        Assert.Empty(overlapping);
    }

    [Theory]
    [InlineData("heartbeet", "heartbeat")]
    [InlineData("chanel_max", "channel_max")]
    [InlineData("listners.tcp.default", "listeners.tcp.default")]
    [InlineData("management.tcp.prt", "management.tcp.port")]
    public void Near_misses_are_suggested(string written, string suggestion)
    {
        Assert.Equal(suggestion, RabbitMQConfKeys.Suggest(written, written.Split('.')));
    }

    [Fact]
    public void Nothing_is_suggested_for_a_key_far_from_every_known_one()
    {
        Assert.Null(RabbitMQConfKeys.Suggest("completely.unrelated.setting.name", ["completely", "unrelated", "setting", "name"]));
    }
}
