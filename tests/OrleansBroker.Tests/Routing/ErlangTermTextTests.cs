using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Tests.Routing;

public sealed class ErlangTermTextTests
{
    /// <summary>How the reference RabbitMQ (Erlang ~tp) printed these doubles in its x-match refusals.</summary>
    [Theory]
    [InlineData(100.0, "100.0")]
    [InlineData(123456.0, "123456.0")]
    [InlineData(1e15, "1.0e15")]
    [InlineData(1e16, "1.0e16")]
    [InlineData(1.5e17, "1.5e17")]
    [InlineData(1e20, "1.0e20")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.01, "0.01")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e-5, "1.0e-5")]
    [InlineData(3e-7, "3.0e-7")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0.0, "0.0")]
    [InlineData(1234567.125, "1234567.125")]
    [InlineData(12345678901234567890.0, "1.2345678901234567e19")]
    public void Prints_doubles_as_Erlang_does(double value, string expected)
    {
        Assert.Equal(expected, ErlangTermText.Format(value));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0x01 }, "<<255,1>>")]
    [InlineData(new byte[] { 0x61, 0x09, 0x62 }, "<<\"a\\tb\">>")]
    [InlineData(new byte[] { 0x61, 0x7F }, "<<97,127>>")]
    public void Prints_binaries_as_Erlang_does(byte[] value, string expected)
    {
        Assert.Equal(expected, ErlangTermText.Format(value));
    }
}
