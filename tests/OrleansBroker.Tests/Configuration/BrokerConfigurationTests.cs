using System.Text.Json;
using OrleansBroker.Gateway;
using OrleansBroker.Hosting;
using OrleansBroker.Hosting.Configuration;

namespace OrleansBroker.Tests.Configuration;

/// <summary>
/// The precedence of the configuration sources (rabbitmq.conf, then JSON, then environment, then switches; later
/// wins), up to the options the host is given. The environment is passed in, not the process's own.
/// </summary>
public sealed class BrokerConfigurationTests : IDisposable
{
    private static readonly Dictionary<string, string> NoEnvironment = new();

    private readonly string _directory = Directory.CreateTempSubdirectory("orleansbroker-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Later_sources_win_rabbitmq_conf_then_json_then_environment_then_switches()
    {
        // Each source sets the heartbeat and one setting of its own; only the switch's heartbeat survives.
        var conf = Write("rabbitmq.conf", "heartbeat = 10\nchannel_max = 11\n");
        var json = Write("broker.json", """{ "Gateway": { "HeartbeatSeconds": 20, "FrameMax": 8192 } }""");
        var environment = new Dictionary<string, string>
        {
            ["ORLEANSBROKER_Gateway__HeartbeatSeconds"] = "30",
            ["ORLEANSBROKER_Broker__DataDir"] = "/from/environment",
        };

        var loaded = BrokerConfiguration.Load(["--rabbitmq-conf", conf, "--config", json, "--amqp-port", "5699"], environment);

        Assert.Equal(30, loaded.Gateway.HeartbeatSeconds);
        Assert.Equal(11, loaded.Gateway.ChannelMax);
        Assert.Equal(8192u, loaded.Gateway.FrameMax);
        Assert.Equal("/from/environment", loaded.Broker.DataDir);
        Assert.Equal(5699, loaded.Broker.AmqpPort);
        Assert.Equal([$"rabbitmq.conf {conf}", $"JSON {json}"], loaded.Sources);

        var withSwitch = BrokerConfiguration.Load(["--rabbitmq-conf", conf, "--config", json, "--amqp-port", "5699"], new Dictionary<string, string>
        {
            ["ORLEANSBROKER_Broker__AmqpPort"] = "5698",
        });
        Assert.Equal(5699, withSwitch.Broker.AmqpPort);
    }

    [Fact]
    public void Each_rabbitmq_conf_setting_a_later_source_changes_is_named_with_that_source()
    {
        var conf = Write("rabbitmq.conf", "heartbeat = 10\nchannel_max = 11\nframe_max = 8192\ndefault_user = admin\n");
        var json = Write("broker.json", """{ "Gateway": { "HeartbeatSeconds": 20, "FrameMax": 8192 } }""");

        var loaded = BrokerConfiguration.Load(
            ["--rabbitmq-conf", conf, "--config", json],
            new Dictionary<string, string> { ["ORLEANSBROKER_Gateway__ChannelMax"] = "12", ["RABBITMQ_DEFAULT_USER"] = "other" });

        Assert.Equal(
            [
                $"{conf} line 1: heartbeat = 10 is overridden by the JSON file {json} (Gateway:HeartbeatSeconds = 20)",
                $"{conf} line 2: channel_max = 11 is overridden by the environment (ORLEANSBROKER_*) (Gateway:ChannelMax = 12)",
                $"{conf} line 4: default_user = admin is overridden by the environment (RABBITMQ_DEFAULT_*) (Gateway:DefaultUser = other)",
            ],
            loaded.Overrides);
    }

    [Fact]
    public void Json_overrides_rabbitmq_conf()
    {
        var conf = Write("rabbitmq.conf", "heartbeat = 10\nlisteners.tcp.default = 127.0.0.1:5680\n");
        var json = Write("broker.json", """{ "Gateway": { "HeartbeatSeconds": 20 }, "Broker": { "Bind": "::1" } }""");

        var loaded = BrokerConfiguration.Load(["--rabbitmq-conf", conf, "--config", json], NoEnvironment);

        Assert.Equal(20, loaded.Gateway.HeartbeatSeconds);
        Assert.Equal("::1", loaded.Broker.Bind);
        Assert.Equal(5680, loaded.Broker.AmqpPort);
    }

    [Fact]
    public void RabbitMQs_default_user_variables_set_the_default_user_and_ORLEANSBROKER_ones_win_over_them()
    {
        var conf = Write("rabbitmq.conf", "default_user = from-conf\ndefault_pass = from-conf\ndefault_vhost = from-conf\n");
        var environment = new Dictionary<string, string>
        {
            ["RABBITMQ_DEFAULT_USER"] = "admin",
            ["RABBITMQ_DEFAULT_PASS"] = "secret",
            ["RABBITMQ_DEFAULT_VHOST"] = "production",
            ["ORLEANSBROKER_Gateway__DefaultVirtualHost"] = "staging",
        };

        var loaded = BrokerConfiguration.Load(["--rabbitmq-conf", conf], environment);

        Assert.Equal("admin", loaded.Gateway.DefaultUser);
        Assert.Equal("secret", loaded.Gateway.DefaultPassword);
        Assert.Equal("staging", loaded.Gateway.DefaultVirtualHost);
    }

    [Fact]
    public void The_environment_prefix_is_read_in_any_case()
    {
        var loaded = BrokerConfiguration.Load([], new Dictionary<string, string> { ["orleansbroker_broker__amqpport"] = "5690" });

        Assert.Equal(5690, loaded.Broker.AmqpPort);
    }

    [Fact]
    public void RABBITMQ_CONFIG_FILE_names_the_file_with_or_without_its_extension()
    {
        var conf = Write("rabbitmq.conf", "heartbeat = 15\n");

        var withExtension = BrokerConfiguration.Load([], new Dictionary<string, string> { ["RABBITMQ_CONFIG_FILE"] = conf });
        var withoutExtension = BrokerConfiguration.Load([], new Dictionary<string, string> { ["RABBITMQ_CONFIG_FILE"] = Path.Combine(_directory, "rabbitmq") });

        Assert.Equal(15, withExtension.Gateway.HeartbeatSeconds);
        Assert.Equal(15, withoutExtension.Gateway.HeartbeatSeconds);
        Assert.Equal([$"rabbitmq.conf {conf}"], withoutExtension.Sources);
    }

    [Fact]
    public void The_switch_wins_over_RABBITMQ_CONFIG_FILE()
    {
        var fromSwitch = Write("switch.conf", "heartbeat = 15\n");
        var fromEnvironment = Write("environment.conf", "heartbeat = 25\n");

        var loaded = BrokerConfiguration.Load(["--rabbitmq-conf", fromSwitch], new Dictionary<string, string> { ["RABBITMQ_CONFIG_FILE"] = fromEnvironment });

        Assert.Equal(15, loaded.Gateway.HeartbeatSeconds);
    }

    // RabbitMQ starts with its defaults when RABBITMQ_CONFIG_FILE names nothing; the broker does too, and says so.
    [Fact]
    public void RABBITMQ_CONFIG_FILE_naming_no_file_is_a_warning()
    {
        var missing = Path.Combine(_directory, "missing");

        var loaded = BrokerConfiguration.Load([], new Dictionary<string, string> { ["RABBITMQ_CONFIG_FILE"] = missing });

        Assert.Equal([$"RABBITMQ_CONFIG_FILE names {missing}, which does not exist (nor {missing}.conf): no rabbitmq.conf read"], loaded.Warnings);
        Assert.Equal(60, loaded.Gateway.HeartbeatSeconds);
    }

    [Fact]
    public void A_rabbitmq_conf_switch_naming_no_file_stops_the_start()
    {
        var missing = Path.Combine(_directory, "missing.conf");

        var error = Assert.Throws<BrokerConfigurationException>(() => BrokerConfiguration.Load(["--rabbitmq-conf", missing], NoEnvironment));

        Assert.Equal($"--rabbitmq-conf names {missing}, which does not exist (nor {missing}.conf)", error.Message);
    }

    [Fact]
    public void A_config_switch_naming_no_file_stops_the_start()
    {
        var missing = Path.Combine(_directory, "missing.json");

        var error = Assert.Throws<BrokerConfigurationException>(() => BrokerConfiguration.Load(["--config", missing], NoEnvironment));

        Assert.Equal($"--config names {missing}, which does not exist", error.Message);
    }

    [Fact]
    public void Warnings_of_the_rabbitmq_conf_are_passed_on()
    {
        var conf = Write("rabbitmq.conf", "heartbeat = 30\nvm_memory_high_watermark.relative = 0.5\n");

        var loaded = BrokerConfiguration.Load(["--rabbitmq-conf", conf], NoEnvironment);

        Assert.Equal([$"{conf} line 2: 'vm_memory_high_watermark.relative' is not implemented yet and is ignored"], loaded.Warnings);
        Assert.Equal(0.5, loaded.Broker.MemoryHighWatermarkRelative);
    }

    [Fact]
    public void Rabbitmq_conf_values_bind_to_the_options_types()
    {
        var conf = Write(
            "rabbitmq.conf",
            "frame_max = 1MB\nhandshake_timeout = 2500\nconsumer_timeout = 60000\nconnection_max = 500\nvm_memory_high_watermark.absolute = 1GiB\ndisk_free_limit.relative = 2.0\n");

        var loaded = BrokerConfiguration.Load(["--rabbitmq-conf", conf], NoEnvironment);

        Assert.Equal(1024u * 1024, loaded.Gateway.FrameMax);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), loaded.Gateway.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), loaded.Gateway.ConsumerTimeout);
        Assert.Equal(500, loaded.Gateway.ConnectionMax);
        Assert.Equal(1L << 30, loaded.Broker.MemoryHighWatermarkBytes);
        Assert.Equal(2.0, loaded.Broker.DiskFreeLimitRelative);
    }

    [Fact]
    public void Without_any_source_the_defaults_hold()
    {
        var loaded = BrokerConfiguration.Load(["--data-dir", _directory], NoEnvironment);

        Assert.Equal(5672, loaded.Broker.AmqpPort);
        Assert.Equal("*", loaded.Broker.Bind);
        Assert.Equal(60, loaded.Gateway.HeartbeatSeconds);
        Assert.Equal("guest", loaded.Gateway.DefaultUser);
        Assert.Empty(loaded.Warnings);
    }

    [Fact]
    public void The_file_switches_are_not_settings_themselves()
    {
        var conf = Write("rabbitmq.conf", "heartbeat = 30\n");
        var json = Write("broker.json", "{}");

        var loaded = BrokerConfiguration.Load(["--rabbitmq-conf", conf, "--config", json], NoEnvironment);

        Assert.Null(loaded.Configuration[CommandLineSwitches.JsonFilePathKey]);
        Assert.Null(loaded.Configuration[CommandLineSwitches.RabbitMQConfPathKey]);
    }

    // The deploy examples claim to state the defaults: loading both must change nothing but the data directory.
    [Fact]
    public void The_deploy_examples_load_without_warnings_and_state_the_defaults()
    {
        var deploy = Path.Combine(RepositoryRoot(), "deploy");

        var loaded = BrokerConfiguration.Load(
            ["--rabbitmq-conf", Path.Combine(deploy, "rabbitmq.conf.example"), "--config", Path.Combine(deploy, "orleansbroker.example.json")],
            NoEnvironment);

        Assert.Empty(loaded.Warnings);
        Assert.Empty(loaded.Overrides);
        Assert.Equal("/var/lib/orleansbroker", loaded.Broker.DataDir);
        loaded.Broker.DataDir = new BrokerOptions().DataDir;

        // The executable's management and Prometheus listeners are on unless configured; a BrokerOptions made in code has them off.
        Assert.Equal((BrokerConfiguration.DefaultManagementPort, BrokerConfiguration.DefaultPrometheusPort), (loaded.Broker.ManagementPort, loaded.Broker.PrometheusPort));
        (loaded.Broker.ManagementPort, loaded.Broker.PrometheusPort) = (null, null);
        Assert.Equal(JsonSerializer.Serialize(new BrokerOptions()), JsonSerializer.Serialize(loaded.Broker));
        Assert.Equal(JsonSerializer.Serialize(new GatewayOptions()), JsonSerializer.Serialize(loaded.Gateway));
        Assert.Equal("Information", loaded.Configuration["Logging:Console:LogLevel:OrleansBroker"]);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OrleansBroker.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"no OrleansBroker.sln above {AppContext.BaseDirectory}");
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
