using OrleansBroker.Hosting.Configuration;

namespace OrleansBroker.Tests.Configuration;

public sealed class CommandLineSwitchesTests
{
    private const string Known =
        "--amqp-port, --bind, --data-dir, --postgres, --config, --rabbitmq-conf, --cluster, --node, --silo-port, "
        + "--orleans-gateway-port, --advertise, --dashboard-port, --management-port, --prometheus-port";

    [Fact]
    public void Switches_set_their_configuration_keys()
    {
        var values = CommandLineSwitches.Parse(["--amqp-port", "5673", "--bind=127.0.0.1", "--data-dir", "/tmp/x", "--postgres", "Host=db"]);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["Broker:AmqpPort"] = "5673",
                ["Broker:Bind"] = "127.0.0.1",
                ["Broker:DataDir"] = "/tmp/x",
                ["Broker:PostgresConnectionString"] = "Host=db",
            },
            values);
    }

    [Fact]
    public void The_Orleans_hosting_switches_set_Broker_keys()
    {
        var values = CommandLineSwitches.Parse(
        [
            "--cluster", "Host=db", "--node", "n1", "--silo-port", "11111", "--orleans-gateway-port", "30000",
            "--advertise", "10.0.0.1", "--dashboard-port", "8080", "--management-port", "15672",
        ]);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["Broker:Cluster"] = "Host=db",
                ["Broker:NodeName"] = "n1",
                ["Broker:SiloPort"] = "11111",
                ["Broker:OrleansGatewayPort"] = "30000",
                ["Broker:AdvertiseAddress"] = "10.0.0.1",
                ["Broker:DashboardPort"] = "8080",
                ["Broker:ManagementPort"] = "15672",
            },
            values);
    }

    [Fact]
    public void A_switch_given_twice_takes_its_last_value_and_names_ignore_case()
    {
        var values = CommandLineSwitches.Parse(["--amqp-port", "1", "--AMQP-PORT", "2"]);

        Assert.Equal("2", Assert.Single(values).Value);
    }

    [Fact]
    public void An_equals_sign_allows_a_value_that_starts_with_dashes_or_is_empty()
    {
        var values = CommandLineSwitches.Parse(["--postgres=--odd", "--bind="]);

        Assert.Equal("--odd", values["Broker:PostgresConnectionString"]);
        Assert.Equal("", values["Broker:Bind"]);
    }

    [Theory]
    [InlineData("--clusterr")]
    [InlineData("--foo")]
    [InlineData("--Broker:AmqpPort")]
    public void An_unknown_switch_stops_with_the_known_ones(string unknown)
    {
        var error = Assert.Throws<BrokerConfigurationException>(() => CommandLineSwitches.Parse(["--amqp-port", "5673", unknown, "x"]));

        Assert.Equal($"unknown switch '{unknown}'; known switches: {Known}", error.Message);
    }

    [Fact]
    public void An_unknown_switch_with_an_equals_sign_is_named_without_its_value()
    {
        var error = Assert.Throws<BrokerConfigurationException>(() => CommandLineSwitches.Parse(["--clusterr=x"]));

        Assert.StartsWith("unknown switch '--clusterr';", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--amqp-port")]
    [InlineData("--amqp-port --bind 127.0.0.1")]
    public void A_switch_without_a_value_stops(string commandLine)
    {
        var error = Assert.Throws<BrokerConfigurationException>(() => CommandLineSwitches.Parse(commandLine.Split(' ')));

        Assert.Equal("switch '--amqp-port' needs a value (--amqp-port VALUE)", error.Message);
    }

    [Theory]
    [InlineData("5673")]
    [InlineData("-amqp-port")]
    [InlineData("/amqp-port")]
    public void A_bare_argument_stops(string argument)
    {
        var error = Assert.Throws<BrokerConfigurationException>(() => CommandLineSwitches.Parse([argument]));

        Assert.Equal($"unexpected argument '{argument}' (switches are written --name value); known switches: {Known}", error.Message);
    }
}
