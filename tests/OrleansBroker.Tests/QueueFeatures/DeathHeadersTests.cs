using OrleansBroker.Amqp;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.QueueFeatures;

/// <summary>
/// The x-death rules, each as observed on the reference broker (RabbitMQ 3.10.8) in the scenario named; the byte-level
/// observations are in <see cref="ReferenceDeadLetterObservations"/>.
/// </summary>
public sealed class DeathHeadersTests
{
    private static readonly DateTimeOffset First = DateTimeOffset.FromUnixTimeSeconds(1_000);
    private static readonly DateTimeOffset Later = DateTimeOffset.FromUnixTimeSeconds(2_000);

    /// <summary>S1: the first death sets x-first-death-* and re-sorts every header by key.</summary>
    [Fact]
    public void First_death_sets_the_first_death_headers_and_sorts_the_headers()
    {
        var headers = Record([new("z", 1), new("a", 2)], DeadLetterReason.Rejected, "q1", First);

        Assert.Equal(["a", "x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason", "z"], headers.Select(h => h.Key));
        Assert.Equal("rejected", Value(headers, "x-first-death-reason"));
        Assert.Equal("q1", Value(headers, "x-first-death-queue"));
        Assert.Equal("src", Value(headers, "x-first-death-exchange"));
    }

    /// <summary>S4 (1.2 s between deaths): the same queue and reason again counts up; time, exchange and routing keys stay.</summary>
    [Fact]
    public void Repeated_death_in_the_same_queue_for_the_same_reason_counts_up_and_keeps_the_first_time()
    {
        var once = Record([], DeadLetterReason.Rejected, "q4", First);
        var twice = DeathHeaders.Record(once, DeadLetterReason.Rejected, "q4", "other-exchange", ["other-key"], Later, null);

        var death = Assert.IsType<FieldTable>(Assert.Single(Deaths(twice)));
        Assert.Equal(["count", "exchange", "queue", "reason", "routing-keys", "time"], death.Select(e => e.Key));
        Assert.Equal(2L, Value(death, "count"));
        Assert.Equal(new AmqpTimestamp(1_000), Value(death, "time"));
        Assert.Equal("src", Value(death, "exchange"));
    }

    /// <summary>S3: a death in another queue goes in front, sorted; the older entry is untouched; x-first-death-* stay.</summary>
    [Fact]
    public void Death_in_another_queue_goes_in_front_and_the_first_death_headers_stay()
    {
        var once = Record([], DeadLetterReason.Rejected, "q1", First);
        var twice = DeathHeaders.Record(once, DeadLetterReason.Expired, "q3", "", ["q3"], Later, null);

        var deaths = Deaths(twice);
        Assert.Equal(2, deaths.Count);
        var newest = Assert.IsType<FieldTable>(deaths[0]);
        Assert.Equal(["count", "exchange", "queue", "reason", "routing-keys", "time"], newest.Select(e => e.Key));
        Assert.Equal("q3", Value(newest, "queue"));
        var oldest = Assert.IsType<FieldTable>(deaths[1]);
        Assert.Equal(["count", "reason", "queue", "time", "exchange", "routing-keys"], oldest.Select(e => e.Key));
        Assert.Equal("q1", Value(twice, "x-first-death-queue"));
    }

    /// <summary>S15: the matching entry moves to the front, count + 1 as a long.</summary>
    [Fact]
    public void Matching_entry_further_back_moves_to_the_front()
    {
        var deathsBefore = new object?[]
        {
            Table(("count", 1), ("queue", "x"), ("reason", "rejected")),
            Table(("reason", "rejected"), ("queue", "q15"), ("count", 4)),
        };

        var headers = DeathHeaders.Record([new("x-death", deathsBefore)], DeadLetterReason.Rejected, "q15", "", ["q15"], Later, null);

        var deaths = Deaths(headers);
        var front = Assert.IsType<FieldTable>(deaths[0]);
        Assert.Equal(["count", "queue", "reason"], front.Select(e => e.Key));
        Assert.Equal(5L, Value(front, "count"));
        Assert.Same(deathsBefore[0], deaths[1]);
    }

    /// <summary>S13: entries of the same queue and reason without a count are merged, counted, and grouped in reverse order.</summary>
    [Fact]
    public void Groups_old_uncounted_entries_by_queue_and_reason()
    {
        var deathsBefore = new object?[]
        {
            Table(("queue", "q13"), ("reason", "rejected")),
            Table(("queue", "q13"), ("reason", "rejected")),
            Table(("queue", "other"), ("reason", "expired"), ("count", 5)),
            Table(("queue", "other"), ("reason", "expired")),
        };

        var headers = DeathHeaders.Record([new("x-death", deathsBefore)], DeadLetterReason.Rejected, "q13", "", ["q13"], Later, null);

        var deaths = Deaths(headers);
        Assert.Equal(2, deaths.Count);
        Assert.Equal(3L, Value(Assert.IsType<FieldTable>(deaths[0]), "count"));
        Assert.Same(deathsBefore[2], deaths[1]);
    }

    /// <summary>S9: an x-death that is not an array is replaced, and x-first-death-* are not set.</summary>
    [Fact]
    public void An_x_death_that_is_not_an_array_is_replaced_without_first_death_headers()
    {
        var headers = DeathHeaders.Record([new("x-death", "garbage"), new("b", 1)], DeadLetterReason.Rejected, "q9", "", ["q9"], First, null);

        Assert.Equal(["b", "x-death"], headers.Select(h => h.Key));
        var death = Assert.IsType<FieldTable>(Assert.Single(Deaths(headers)));
        Assert.Equal(["count", "reason", "queue", "time", "exchange", "routing-keys"], death.Select(e => e.Key));
    }

    [Fact]
    public void A_queue_named_by_bytes_is_the_same_queue()
    {
        var deathsBefore = new object?[] { Table(("count", 1), ("queue", "q"u8.ToArray()), ("reason", "expired")) };

        var headers = DeathHeaders.Record([new("x-death", deathsBefore)], DeadLetterReason.Expired, "q", "", ["q"], Later, null);

        Assert.Equal(2L, Value(Assert.IsType<FieldTable>(Assert.Single(Deaths(headers))), "count"));
    }

    [Fact]
    public void A_count_that_is_not_an_integer_restarts_at_one()
    {
        var deathsBefore = new object?[] { Table(("count", "many"), ("queue", "q"), ("reason", "expired")) };

        var headers = DeathHeaders.Record([new("x-death", deathsBefore)], DeadLetterReason.Expired, "q", "", ["q"], Later, null);

        Assert.Equal(1L, Value(Assert.IsType<FieldTable>(Assert.Single(Deaths(headers))), "count"));
    }

    [Theory]
    [InlineData(DeadLetterReason.Rejected, "rejected")]
    [InlineData(DeadLetterReason.Expired, "expired")]
    [InlineData(DeadLetterReason.MaxLength, "maxlen")]
    [InlineData(DeadLetterReason.DeliveryLimit, "delivery_limit")]
    public void Reasons_are_written_as_RabbitMQ_writes_them(DeadLetterReason reason, string text)
    {
        Assert.Equal(text, DeadLetterReasonText.Text(reason));
    }

    private static List<KeyValuePair<string, object?>> Record(IReadOnlyList<KeyValuePair<string, object?>> headers, DeadLetterReason reason, string queue, DateTimeOffset time) =>
        DeathHeaders.Record(headers, reason, queue, "src", [queue], time, null);

    private static IReadOnlyList<object?> Deaths(IReadOnlyList<KeyValuePair<string, object?>> headers) =>
        Assert.IsAssignableFrom<IReadOnlyList<object?>>(Value(headers, "x-death"));

    private static object? Value(IEnumerable<KeyValuePair<string, object?>> entries, string key) => entries.First(e => e.Key == key).Value;

    private static FieldTable Table(params (string Key, object? Value)[] entries) => new(entries.Select(e => new KeyValuePair<string, object?>(e.Key, e.Value)));
}
