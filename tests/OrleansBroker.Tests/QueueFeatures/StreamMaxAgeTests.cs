using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.QueueFeatures;

public sealed class StreamMaxAgeTests
{
    /// <summary>Policy "max-age" on the reference broker: "10D" accepted; "1x" and "0D" refused.</summary>
    [Theory]
    [InlineData("10D", 10L * 24 * 3600 * 1000)]
    [InlineData("1Y", 365L * 24 * 3600 * 1000)]
    [InlineData("2M", 60L * 24 * 3600 * 1000)]
    [InlineData("3h", 3L * 3600 * 1000)]
    [InlineData("4m", 4L * 60 * 1000)]
    [InlineData("5s", 5000L)]
    public void Reads_a_number_and_a_unit(string text, long milliseconds)
    {
        Assert.True(StreamMaxAge.TryParse(text, out var parsed));
        Assert.Equal(milliseconds, parsed);
    }

    [Theory]
    [InlineData("1x")]
    [InlineData("0D")]
    [InlineData("10")]
    [InlineData("D")]
    [InlineData("")]
    [InlineData("1DD")]
    [InlineData("-1D")]
    public void Refuses_anything_else(string text)
    {
        Assert.False(StreamMaxAge.TryParse(text, out _));
    }
}
