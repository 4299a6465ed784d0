using OrleansBroker.Hosting.Configuration;

namespace OrleansBroker.Tests.Configuration;

/// <summary>The syntax of rabbitmq.conf lines, as cuttlefish reads them.</summary>
public sealed class RabbitMQConfParserTests
{
    [Fact]
    public void Comments_blank_lines_and_blanks_around_keys_and_values_are_skipped()
    {
        var settings = RabbitMQConfParser.Parse(
            """
            # a comment

               # an indented comment
            heartbeat = 30
              channel_max=10   # a trailing comment
            	frame_max	=	4096	
            default_user = some user
            """,
            "test.conf");

        Assert.Equal(
            [("heartbeat", "30", 4), ("channel_max", "10", 5), ("frame_max", "4096", 6), ("default_user", "some user", 7)],
            settings.Select(setting => (setting.Key, setting.Value, setting.Line)));
    }

    [Fact]
    public void Windows_line_ends_are_read_as_line_ends()
    {
        var settings = RabbitMQConfParser.Parse("heartbeat = 30\r\nchannel_max = 10\r\n", "test.conf");

        Assert.Equal([("heartbeat", "30"), ("channel_max", "10")], settings.Select(setting => (setting.Key, setting.Value)));
    }

    [Fact]
    public void A_hash_ends_the_value_and_quotes_are_kept_as_RabbitMQ_does()
    {
        var settings = RabbitMQConfParser.Parse("default_pass = a#b\ndefault_user = \"quoted\"\n", "test.conf");

        Assert.Equal(["a", "\"quoted\""], settings.Select(setting => setting.Value));
    }

    [Fact]
    public void Keys_split_into_segments_at_dots_except_escaped_ones()
    {
        var settings = RabbitMQConfParser.Parse("listeners.tcp.my-listener_2 = 5672\nlisteners.tcp.a\\.b = 5673\n", "test.conf");

        Assert.Equal(["listeners", "tcp", "my-listener_2"], settings[0].Segments);
        Assert.Equal(["listeners", "tcp", "a.b"], settings[1].Segments);
        Assert.Equal("listeners.tcp.a\\.b", settings[1].Key);
    }

    [Fact]
    public void A_key_set_twice_is_read_twice_in_file_order()
    {
        var settings = RabbitMQConfParser.Parse("heartbeat = 30\nheartbeat = 40\n", "test.conf");

        Assert.Equal([("30", 1), ("40", 2)], settings.Select(setting => (setting.Value, setting.Line)));
    }

    [Theory]
    [InlineData("heartbeat", "test.conf line 3: expected 'key = value', found 'heartbeat'")]
    [InlineData("= 30", "test.conf line 3: expected 'key = value', found '= 30'")]
    [InlineData("heartbeat =", "test.conf line 3: 'heartbeat' has no value")]
    [InlineData("heartbeat = # only a comment", "test.conf line 3: 'heartbeat' has no value")]
    [InlineData("heart beat = 30", "test.conf line 3: 'heart beat' is not a key (words of letters, digits, '_' and '-' joined by '.')")]
    [InlineData("heartbeat. = 30", "test.conf line 3: 'heartbeat.' is not a key (words of letters, digits, '_' and '-' joined by '.')")]
    [InlineData(".heartbeat = 30", "test.conf line 3: '.heartbeat' is not a key (words of letters, digits, '_' and '-' joined by '.')")]
    [InlineData("heartbeat: 30", "test.conf line 3: expected 'key = value', found 'heartbeat: 30'")]
    [InlineData("include /etc/rabbitmq/conf.d/*.conf", "test.conf line 3: 'include' is not supported; put the settings in this file")]
    public void A_malformed_line_stops_with_its_number(string line, string message)
    {
        var error = Assert.Throws<BrokerConfigurationException>(() => RabbitMQConfParser.Parse($"# first\nheartbeat = 30\n{line}\nchannel_max = 10\n", "test.conf"));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_key_named_include_is_a_setting_not_the_directive()
    {
        var settings = RabbitMQConfParser.Parse("include = 5\n", "test.conf");

        Assert.Equal("include", Assert.Single(settings).Key);
    }
}
