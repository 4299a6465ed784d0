using OrleansBroker.Hosting.Configuration;

namespace OrleansBroker.Tests.Configuration;

/// <summary>A rabbitmq.conf checked against RabbitMQ's keys and datatypes, and what its settings become.</summary>
public sealed class RabbitMQConfFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orleansbroker-conf-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // Verdicts of RabbitMQ 3.10.8's own parser for each line, from cuttlefish_verdicts.escript (next to this file).
    // Left out where the broker deliberately differs: see the tests after this one.
    [Theory]
    [InlineData("accepted", "heartbeat = 30")]
    [InlineData("accepted", "heartbeat=30")]
    [InlineData("accepted", "  heartbeat = 30   # trailing comment")]
    [InlineData("accepted", "\theartbeat\t=\t30")]
    [InlineData("accepted", "heartbeat = 30# comment")]
    [InlineData("syntax", "heartbeat")]
    [InlineData("syntax", "heartbeat =")]
    [InlineData("syntax", "heartbeat = # only a comment")]
    [InlineData("syntax", "= 30")]
    [InlineData("syntax", "heart beat = 30")]
    [InlineData("syntax", "heartbeat. = 30")]
    [InlineData("syntax", ".heartbeat = 30")]
    [InlineData("syntax", "heartbeat: 30")]
    [InlineData("unknown", "Heartbeat = 30")]
    [InlineData("unknown", "heartbeatt = 30")]
    [InlineData("datatype", "heartbeat = abc")]
    [InlineData("accepted", "heartbeat = +30")]
    [InlineData("datatype", "heartbeat = 1e3")]
    [InlineData("accepted", "listeners.tcp.default = 5672")]
    [InlineData("accepted", "listeners.tcp.my-listener_2 = 127.0.0.1:5672")]
    [InlineData("accepted", "listeners.tcp.default = ::1:5672")]
    [InlineData("accepted", "listeners.tcp.default = :::5672")]
    [InlineData("datatype", "listeners.tcp.default = [::1]:5672")]
    [InlineData("datatype", "listeners.tcp.default = localhost:5672")]
    [InlineData("datatype", "listeners.tcp.default = 127.0.0.1")]
    [InlineData("accepted", "listeners.tcp.a\\.b = 5672")]
    [InlineData("accepted", "listeners.tcp = none")]
    [InlineData("datatype", "listeners.tcp = off")]
    [InlineData("unknown", "listeners.tcp.a.b = 5672")]
    [InlineData("accepted", "listeners.ssl.default = 5671")]
    [InlineData("accepted", "vm_memory_high_watermark.relative = 0.4")]
    [InlineData("datatype", "vm_memory_high_watermark.relative = 1")]
    [InlineData("accepted", "vm_memory_high_watermark.absolute = 2GB")]
    [InlineData("accepted", "disk_free_limit.absolute = 50MB")]
    [InlineData("accepted", "frame_max = 128KB")]
    [InlineData("accepted", "frame_max = 128kb")]
    [InlineData("datatype", "frame_max = 1KiB")]
    [InlineData("datatype", "log.file.level = INFO")]
    [InlineData("accepted", "log.file.level = <warning")]
    [InlineData("datatype", "log.console.level = <warning")]
    [InlineData("accepted", "log.console.level = debug")]
    [InlineData("accepted", "loopback_users.guest = false")]
    [InlineData("accepted", "loopback_users = none")]
    [InlineData("datatype", "loopback_users = false")]
    [InlineData("accepted", "max_message_size = 536870912")]
    [InlineData("validation", "max_message_size = 536870913")]
    [InlineData("validation", "consumer_timeout = 0")]
    [InlineData("accepted", "consumer_timeout = 1000")]
    [InlineData("accepted", "handshake_timeout = infinity")]
    [InlineData("accepted", "connection_max = infinity")]
    [InlineData("datatype", "connection_max = unlimited")]
    [InlineData("validation", "tcp_listen_options.port = 65535")]
    [InlineData("accepted", "management.tcp.port = 15672")]
    [InlineData("validation", "management.tcp.ip = not-an-ip")]
    [InlineData("validation", "management.tcp.ip = [::1]")]
    [InlineData("accepted", "management.tcp.ip = ::1")]
    [InlineData("accepted", "listeners.tcp.default = 1.2.3:5672")]
    [InlineData("accepted", "listeners.tcp.default = 127.0.0.1:+5")]
    [InlineData("datatype", "heartbeat = 0x10")]
    [InlineData("accepted", "cluster_formation.classic_config.nodes.1 = rabbit@node1")]
    [InlineData("accepted", "cluster_formation.peer_discovery_backend = rabbit_peer_discovery_classic_config")]
    [InlineData("accepted", "cluster_formation.node_type = disc")]
    [InlineData("datatype", "cluster_formation.node_type = DISC")]
    [InlineData("accepted", "mqtt.allow_anonymous = true")]
    [InlineData("accepted", "prometheus.tcp.port = 15692")]
    [InlineData("accepted", "ssl_options.verify = verify_peer")]
    [InlineData("validation", "ssl_options.depth = 300")]
    [InlineData("accepted", "sysmon_handler.triggers.process.garbage_collection = 50ms")]
    [InlineData("datatype", "sysmon_handler.triggers.process.garbage_collection = 50")]
    [InlineData("accepted", "default_pass = a#b")]
    [InlineData("accepted", "default_pass = \"quoted\"")]
    [InlineData("accepted", "default_user = some user")]
    [InlineData("accepted", "collect_statistics_interval = 5000")]
    [InlineData("validation", "vm_memory_high_watermark_paging_ratio = 1.0")]
    [InlineData("accepted", "vm_memory_high_watermark_paging_ratio = 0.75")]
    [InlineData("validation", "auth_oauth2.jwks_url = http://example.com/keys")]
    [InlineData("accepted", "auth_oauth2.jwks_url = https://example.com/keys")]
    public void Lines_are_accepted_or_refused_as_RabbitMQ_does(string rabbitMQVerdict, string line)
    {
        string verdict;
        try
        {
            RabbitMQConfFile.Read(line + "\n", "test.conf");
            verdict = "accepted";
        }
        catch (BrokerConfigurationException e)
        {
            Assert.StartsWith("test.conf line 1: ", e.Message, StringComparison.Ordinal);
            verdict = e.Message switch
            {
                _ when e.Message.Contains("expected 'key = value'", StringComparison.Ordinal)
                    || e.Message.Contains("is not a key", StringComparison.Ordinal)
                    || e.Message.Contains("has no value", StringComparison.Ordinal) => "syntax",
                _ when e.Message.Contains("unknown key", StringComparison.Ordinal) => "unknown",
                _ when e.Message.Contains(": expected ", StringComparison.Ordinal) => "datatype",
                _ => "validation",
            };
        }

        Assert.Equal(rabbitMQVerdict, verdict);
    }

    [Fact]
    public void An_unknown_key_is_named_with_its_line_and_the_nearest_known_key()
    {
        var error = Assert.Throws<BrokerConfigurationException>(() => RabbitMQConfFile.Read("heartbeat = 30\n\nlisteners.tcp.default = 5672\nheartbaet = 30\n", "/etc/rabbitmq/rabbitmq.conf"));

        Assert.Equal("/etc/rabbitmq/rabbitmq.conf line 4: unknown key 'heartbaet': RabbitMQ 3.10.8 has no such setting (did you mean 'heartbeat'?)", error.Message);
    }

    [Fact]
    public void A_mistyped_key_with_a_wildcard_segment_is_suggested_with_the_segment_as_written()
    {
        var error = Assert.Throws<BrokerConfigurationException>(() => RabbitMQConfFile.Read("listener.tcp.default = 5672\n", "test.conf"));

        Assert.EndsWith("(did you mean 'listeners.tcp.default'?)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_the_line_and_what_was_expected()
    {
        var error = Assert.Throws<BrokerConfigurationException>(() => RabbitMQConfFile.Read("# x\nlisteners.tcp.default = localhost:5672\n", "test.conf"));

        Assert.Equal("test.conf line 2: listeners.tcp.default = localhost:5672: expected an integer or an address and port (127.0.0.1:5672, ::1:5672)", error.Message);
    }

    [Fact]
    public void A_validator_failure_is_reported_in_RabbitMQs_words()
    {
        var error = Assert.Throws<BrokerConfigurationException>(() => RabbitMQConfFile.Read("max_message_size = 1000000000\n", "test.conf"));

        Assert.Equal("test.conf line 1: max_message_size = 1000000000: Max message size should be between 0 and 512MB", error.Message);
    }

    [Fact]
    public void Implemented_keys_become_gateway_and_broker_settings()
    {
        var file = RabbitMQConfFile.Read(
            """
            listeners.tcp.default = 127.0.0.1:5673
            heartbeat = 30
            frame_max = 128KB
            channel_max = 100
            max_message_size = 1048576
            handshake_timeout = 5000
            default_user = admin
            default_pass = secret
            default_vhost = production
            log.console.level = warning
            """,
            "test.conf");

        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["Broker:AmqpPort"] = "5673",
                ["Broker:Bind"] = "127.0.0.1",
                ["Gateway:HeartbeatSeconds"] = "30",
                ["Gateway:FrameMax"] = "131072",
                ["Gateway:ChannelMax"] = "100",
                ["Gateway:MaxMessageSize"] = "1048576",
                ["Gateway:HandshakeTimeout"] = "00:00:05",
                ["Gateway:DefaultUser"] = "admin",
                ["Gateway:DefaultPassword"] = "secret",
                ["Gateway:DefaultVirtualHost"] = "production",
                ["Logging:Console:LogLevel:OrleansBroker"] = "Warning",
            },
            file.Values.OrderBy(value => value.Key, StringComparer.Ordinal).ToDictionary());
        Assert.Empty(file.Warnings);
    }

    [Fact]
    public void A_key_set_twice_takes_its_last_value()
    {
        var file = RabbitMQConfFile.Read("heartbeat = 30\nheartbeat = 40\n", "test.conf");

        Assert.Equal("40", file.Values["Gateway:HeartbeatSeconds"]);
    }

    [Theory]
    [InlineData("listeners.tcp.default = 5673", "*", "5673")]
    [InlineData("listeners.tcp.default = 0.0.0.0:5673", "0.0.0.0", "5673")]
    [InlineData("listeners.tcp.default = :::5673", "::", "5673")]
    [InlineData("listeners.tcp.default = ::1:5673", "::1", "5673")]
    [InlineData("listeners.tcp.1 = 0.0.0.0:5673\nlisteners.tcp.2 = :::5673", "*", "5673")]
    public void A_tcp_listener_sets_the_port_and_address(string lines, string bind, string port)
    {
        var file = RabbitMQConfFile.Read(lines + "\n", "test.conf");

        Assert.Equal(bind, file.Values["Broker:Bind"]);
        Assert.Equal(port, file.Values["Broker:AmqpPort"]);
        Assert.Empty(file.Warnings);
    }

    [Fact]
    public void Listeners_beyond_the_first_are_warned_about_and_the_first_is_used()
    {
        var file = RabbitMQConfFile.Read("listeners.tcp.local = 127.0.0.1:5673\nlisteners.tcp.other = 10.0.0.1:5674\n", "test.conf");

        Assert.Equal("127.0.0.1", file.Values["Broker:Bind"]);
        Assert.Equal("5673", file.Values["Broker:AmqpPort"]);
        Assert.Equal(
            ["test.conf line 2: 'listeners.tcp.other' is not implemented yet and is ignored (the broker has one AMQP listener: listeners.tcp.local = 127.0.0.1:5673)"],
            file.Warnings);
    }

    // Where the broker is stricter than RabbitMQ: RabbitMQ 3.10.8 takes these and then negotiates heartbeat down,
    // fails to listen on the port, or works with a fractional frame_max.
    [Theory]
    [InlineData("heartbeat = 70000", "test.conf line 1: heartbeat = 70000: must be between 0 and 65535")]
    [InlineData("listeners.tcp.default = 0.0.0.0:99999", "test.conf line 1: listeners.tcp.default = 0.0.0.0:99999: port 99999 is not between 0 and 65535")]
    [InlineData("frame_max = 1.5MB", "test.conf line 1: frame_max = 1.5MB: expected a size (131072, 128KB, 1MB, 1GB)")]
    public void Values_RabbitMQ_takes_but_the_broker_cannot_stop_the_start(string line, string message)
    {
        var error = Assert.Throws<BrokerConfigurationException>(() => RabbitMQConfFile.Read(line + "\n", "test.conf"));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Known_keys_of_features_not_built_are_warnings_naming_each_key_and_line()
    {
        var file = RabbitMQConfFile.Read(
            """
            heartbeat = 30
            listeners.ssl.default = 5671
            ssl_options.verify = verify_peer
            cluster_formation.peer_discovery_backend = classic_config
            cluster_formation.classic_config.nodes.1 = rabbit@node1
            management.ssl.port = 15671
            listeners.tcp = none
            log.file = /var/log/rabbitmq/rabbit.log
            """,
            "test.conf");

        Assert.Equal(
            [
                "test.conf line 2: 'listeners.ssl.default' is not implemented yet and is ignored",
                "test.conf line 3: 'ssl_options.verify' is not implemented yet and is ignored",
                "test.conf line 4: 'cluster_formation.peer_discovery_backend' is not implemented yet and is ignored",
                "test.conf line 5: 'cluster_formation.classic_config.nodes.1' is not implemented yet and is ignored",
                "test.conf line 6: 'management.ssl.port' is not implemented yet and is ignored",
                "test.conf line 7: 'listeners.tcp = none' is not implemented yet and is ignored (the broker always has its AMQP listener)",
                "test.conf line 8: 'log.file = /var/log/rabbitmq/rabbit.log' is not implemented yet and is ignored (the broker logs to the console only)",
            ],
            file.Warnings);
    }

    [Fact]
    public void Settings_that_ask_for_what_the_broker_does_are_not_warned_about()
    {
        var file = RabbitMQConfFile.Read("log.file = false\nlog.console = true\n", "test.conf");

        Assert.Empty(file.Warnings);
        Assert.Empty(file.Values);
    }

    [Theory]
    [InlineData("loopback_users = none", "none")]
    [InlineData("loopback_users.guest = false", "none")]
    [InlineData("loopback_users.guest = true\nloopback_users.admin = true", "guest,admin")]
    [InlineData("loopback_users.guest = false\nloopback_users.admin = true", "admin")]
    [InlineData("loopback_users.admin = true\nloopback_users = none", "none")]
    public void Loopback_users_are_read_as_RabbitMQ_translates_them(string conf, string expected)
    {
        var file = RabbitMQConfFile.Read(conf + "\n", "test.conf");

        Assert.Empty(file.Warnings);
        Assert.Equal(expected, file.Values["Gateway:LoopbackUsers"]);
    }

    [Fact]
    public void Settings_of_features_not_built_are_kept_in_the_options_and_warned_about()
    {
        var file = RabbitMQConfFile.Read(
            """
            vm_memory_high_watermark.relative = 0.6
            disk_free_limit.absolute = 2GB
            connection_max = 1000
            consumer_timeout = 900000
            management.tcp.port = 15673
            """,
            "test.conf");

        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["Broker:DiskFreeLimitBytes"] = "2000000000",
                ["Broker:ManagementPort"] = "15673",
                ["Broker:MemoryHighWatermarkRelative"] = "0.6",
                ["Gateway:ConnectionMax"] = "1000",
                ["Gateway:ConsumerTimeout"] = "00:15:00",
            },
            file.Values.OrderBy(value => value.Key, StringComparer.Ordinal).ToDictionary());
        Assert.Equal(
            [
                "test.conf line 1: 'vm_memory_high_watermark.relative' is not implemented yet and is ignored",
                "test.conf line 2: 'disk_free_limit.absolute' is not implemented yet and is ignored",
                "test.conf line 3: 'connection_max' is not implemented yet and is ignored",
                "test.conf line 4: 'consumer_timeout' is not implemented yet and is ignored",
            ],
            file.Warnings);
    }

    // Measured with rabbit_resource_monitor_misc:parse_information_unit of RabbitMQ 3.10.8.
    [Theory]
    [InlineData("1073741824", "1073741824")]
    [InlineData("1k", "1024")]
    [InlineData("1kB", "1000")]
    [InlineData("1MiB", "1048576")]
    [InlineData("1MB", "1000000")]
    [InlineData("2G", "2147483648")]
    [InlineData("2GB", "2000000000")]
    public void Absolute_alarm_limits_take_RabbitMQs_information_units(string written, string bytes)
    {
        var file = RabbitMQConfFile.Read($"vm_memory_high_watermark.absolute = {written}\n", "test.conf");

        Assert.Equal(bytes, file.Values["Broker:MemoryHighWatermarkBytes"]);
    }

    [Fact]
    public void An_absolute_alarm_limit_without_a_known_unit_stops_the_start()
    {
        var error = Assert.Throws<BrokerConfigurationException>(() => RabbitMQConfFile.Read("disk_free_limit.absolute = 1.5GB\n", "test.conf"));

        Assert.StartsWith("test.conf line 1: disk_free_limit.absolute = 1.5GB: expected a number of bytes", error.Message, StringComparison.Ordinal);
    }

    // RabbitMQ's translation looks at .relative first when both are set.
    [Fact]
    public void With_both_alarm_limits_the_relative_one_wins_as_in_RabbitMQ()
    {
        var file = RabbitMQConfFile.Read("vm_memory_high_watermark.absolute = 1GB\nvm_memory_high_watermark.relative = 0.5\ndisk_free_limit.relative = 1.5\ndisk_free_limit.absolute = 1GB\n", "test.conf");

        Assert.Equal("0.5", file.Values["Broker:MemoryHighWatermarkRelative"]);
        Assert.Equal("1.5", file.Values["Broker:DiskFreeLimitRelative"]);
        Assert.False(file.Values.ContainsKey("Broker:MemoryHighWatermarkBytes"));
        Assert.False(file.Values.ContainsKey("Broker:DiskFreeLimitBytes"));
    }

    [Theory]
    [InlineData("debug", "Debug")]
    [InlineData("info", "Information")]
    [InlineData("notice", "Information")]
    [InlineData("warning", "Warning")]
    [InlineData("error", "Error")]
    [InlineData("critical", "Critical")]
    [InlineData("emergency", "Critical")]
    [InlineData("none", "None")]
    public void Log_levels_map_onto_dotnet_levels(string rabbitMQ, string dotnet)
    {
        var file = RabbitMQConfFile.Read($"log.file.level = {rabbitMQ}\n", "test.conf");

        Assert.Equal(dotnet, file.Values["Logging:Console:LogLevel:OrleansBroker"]);
    }

    [Fact]
    public void The_console_log_level_wins_over_the_file_log_level()
    {
        var file = RabbitMQConfFile.Read("log.console.level = error\nlog.file.level = debug\n", "test.conf");

        Assert.Equal("Error", file.Values["Logging:Console:LogLevel:OrleansBroker"]);
        Assert.Equal(
            ["test.conf line 2: 'log.file.level' is not implemented yet and is ignored (the broker has one log, on the console: log.console.level = error sets its level)"],
            file.Warnings);
    }

    [Fact]
    public void A_filtering_file_log_level_is_warned_about_and_sets_nothing()
    {
        var file = RabbitMQConfFile.Read("log.file.level = <warning\n", "test.conf");

        Assert.Empty(file.Values);
        Assert.Single(file.Warnings);
    }

    [Fact]
    public void Handshake_timeout_infinity_is_the_longest_time_span()
    {
        var file = RabbitMQConfFile.Read("handshake_timeout = infinity\n", "test.conf");

        Assert.Equal(TimeSpan.MaxValue, TimeSpan.Parse(file.Values["Gateway:HandshakeTimeout"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_path_is_found_with_or_without_the_conf_extension()
    {
        var path = Path.Combine(_directory, "rabbitmq.conf");
        File.WriteAllText(path, "heartbeat = 30\n");

        Assert.Equal(path, RabbitMQConfFile.Locate(path));
        Assert.Equal(path, RabbitMQConfFile.Locate(Path.Combine(_directory, "rabbitmq")));
        Assert.Null(RabbitMQConfFile.Locate(Path.Combine(_directory, "other")));
    }

    [Fact]
    public void A_classic_erlang_config_file_is_refused()
    {
        var path = Path.Combine(_directory, "rabbitmq.config");
        File.WriteAllText(path, "[{rabbit, [{heartbeat, 30}]}].\n");

        var error = Assert.Throws<BrokerConfigurationException>(() => RabbitMQConfFile.Locate(Path.Combine(_directory, "rabbitmq")));

        Assert.Equal($"{path} is a classic Erlang-term RabbitMQ configuration; OrleansBroker reads only the rabbitmq.conf format (key = value)", error.Message);
    }
}
