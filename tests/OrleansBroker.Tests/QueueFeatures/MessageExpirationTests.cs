using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.QueueFeatures;

public sealed class MessageExpirationTests
{
    /// <summary>basic.publish with this expiration on the reference broker: the 406 text after "PRECONDITION_FAILED - ", or null when accepted.</summary>
    [Theory]
    [InlineData("10abc", "invalid expiration '10abc': {leftover_string,\"abc\"}")]
    [InlineData(" 10", "invalid expiration ' 10': no_integer")]
    [InlineData("+10", null)]
    [InlineData("-0", null)]
    [InlineData("", "invalid expiration '': no_integer")]
    [InlineData("1e3", "invalid expiration '1e3': {leftover_string,\"e3\"}")]
    [InlineData("315360000001", "invalid expiration '315360000001': {value_too_large,315360000001}")]
    [InlineData("315360000000", null)]
    [InlineData("-5", "invalid expiration '-5': {value_negative,-5}")]
    [InlineData("abc", "invalid expiration 'abc': no_integer")]
    [InlineData("10 ", "invalid expiration '10 ': {leftover_string,\" \"}")]
    [InlineData("0x10", "invalid expiration '0x10': {leftover_string,\"x10\"}")]
    [InlineData("１２", "invalid expiration '１２': no_integer")]
    [InlineData("10é", "invalid expiration '10é': {leftover_string,\"é\"}")]
    [InlineData("99999999999999999999999", "invalid expiration '99999999999999999999999': {value_too_large,\n                                               99999999999999999999999}")]
    public void Reads_the_expiration_as_RabbitMQ_does(string expiration, string? expected)
    {
        Assert.Equal(expected, MessageExpiration.FindError(expiration));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("+10", 10)]
    [InlineData("-0", 0)]
    [InlineData("60000", 60000)]
    public void Parses_accepted_expirations(string expiration, long milliseconds)
    {
        Assert.True(MessageExpiration.TryParse(expiration, out var parsed));
        Assert.Equal(milliseconds, parsed);
        Assert.Equal(milliseconds, MessageExpiration.Milliseconds(expiration));
    }

    [Fact]
    public void No_expiration_is_no_TTL()
    {
        Assert.Null(MessageExpiration.Milliseconds(null));
        Assert.False(MessageExpiration.TryParse("x", out _));
    }

    [Fact]
    public void Validate_throws_precondition_failed()
    {
        var exception = Assert.Throws<BrokerException>(() => MessageExpiration.Validate("-1"));

        Assert.Equal("PRECONDITION_FAILED - invalid expiration '-1': {value_negative,-1}", exception.ReplyText);
    }

    [Fact]
    public void A_leftover_that_is_not_printable_Latin1_prints_as_a_byte_list()
    {
        // "€" is E2 82 AC; 0x82 is not printable, so Erlang's ~p prints the list of bytes.
        Assert.Equal("invalid expiration '1€': {leftover_string,[226,130,172]}", MessageExpiration.FindError("1€"));
    }
}
