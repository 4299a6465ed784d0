using OrleansBroker.Amqp;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.QueueFeatures;

public sealed class DeadLetterCyclesTests
{
    /// <summary>
    /// Observed (S7): qa and qb, each with x-message-ttl 50 and dead-lettering into the other; a message published to
    /// qa expires into qb, then would go back to qa: both queues are empty 1.5 s later.
    /// </summary>
    [Fact]
    public void A_message_expiring_back_into_a_queue_it_expired_in_is_dropped()
    {
        var headers = Deaths(("qb", "expired"), ("qa", "expired"));

        Assert.True(DeadLetterCycles.IsCycle(DeadLetterReason.Expired, headers, "qa"));
        Assert.Empty(DeadLetterCycles.WithoutCycles(DeadLetterReason.Expired, headers, ["qa"]));
    }

    [Fact]
    public void A_rejection_in_the_cycle_lets_the_message_through()
    {
        var headers = Deaths(("qb", "expired"), ("qa", "rejected"));

        Assert.False(DeadLetterCycles.IsCycle(DeadLetterReason.Expired, headers, "qa"));
    }

    [Fact]
    public void A_rejection_before_the_cycle_does_not_count()
    {
        var headers = Deaths(("qb", "maxlen"), ("qa", "expired"), ("qc", "rejected"));

        Assert.True(DeadLetterCycles.IsCycle(DeadLetterReason.MaxLength, headers, "qa"));
    }

    [Fact]
    public void A_message_dead_lettered_for_rejection_never_cycles()
    {
        var headers = Deaths(("qa", "rejected"));

        Assert.False(DeadLetterCycles.IsCycle(DeadLetterReason.Rejected, headers, "qa"));
    }

    [Fact]
    public void A_queue_the_message_never_died_in_is_no_cycle()
    {
        var headers = Deaths(("qa", "expired"));

        Assert.False(DeadLetterCycles.IsCycle(DeadLetterReason.Expired, headers, "qz"));
        Assert.Equal(["qz"], DeadLetterCycles.WithoutCycles(DeadLetterReason.Expired, headers, ["qa", "qz"]));
    }

    [Fact]
    public void Something_a_client_put_in_x_death_breaks_the_cycle()
    {
        var headers = new FieldTable([new("x-death", new object?[] { "client junk", Death("qa", "expired") })]);

        Assert.False(DeadLetterCycles.IsCycle(DeadLetterReason.Expired, headers, "qa"));
    }

    [Fact]
    public void Without_x_death_there_is_no_cycle()
    {
        Assert.False(DeadLetterCycles.IsCycle(DeadLetterReason.Expired, FieldTable.Empty, "qa"));
    }

    private static FieldTable Deaths(params (string Queue, string Reason)[] deaths) =>
        new([new("x-death", deaths.Select(d => (object?)Death(d.Queue, d.Reason)).ToArray())]);

    private static FieldTable Death(string queue, string reason) => new([new("count", 1L), new("queue", queue), new("reason", reason)]);
}
