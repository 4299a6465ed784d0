using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.QueueFeatures;

public sealed class MessageDeadlineTests
{
    [Theory]
    [InlineData(null, null, null)]
    [InlineData(1000L, null, 11_000L)]
    [InlineData(null, "500", 10_500L)]
    [InlineData(1000L, "500", 10_500L)]
    [InlineData(300L, "500", 10_300L)]
    [InlineData(0L, null, 10_000L)]
    [InlineData(null, "0", 10_000L)]
    public void Classic_deadline_is_enqueue_time_plus_the_smaller_TTL(long? queueTtl, string? expiration, long? deadline)
    {
        Assert.Equal(deadline, MessageDeadline.Compute(QueueType.Classic, queueTtl, expiration, 10_000));
    }

    /// <summary>rabbit_fifo gives a TTL of 0 one millisecond.</summary>
    [Theory]
    [InlineData(0L, null, 10_001L)]
    [InlineData(null, "0", 10_001L)]
    [InlineData(200L, "5000", 10_200L)]
    public void Quorum_deadline_gives_TTL_zero_one_millisecond(long? queueTtl, string? expiration, long? deadline)
    {
        Assert.Equal(deadline, MessageDeadline.Compute(QueueType.Quorum, queueTtl, expiration, 10_000));
    }

    [Fact]
    public void A_message_is_expired_once_the_clock_reaches_its_deadline()
    {
        Assert.False(MessageDeadline.IsExpired(10_000, 9_999));
        Assert.True(MessageDeadline.IsExpired(10_000, 10_000));
        Assert.True(MessageDeadline.IsExpired(10_000, 10_001));
        Assert.False(MessageDeadline.IsExpired(null, long.MaxValue));
    }
}
