using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// Records a death in a message's headers exactly as RabbitMQ 3.10 does (rabbit_dead_letter:update_x_death_header),
/// since clients read these headers and the order and types are visible:
/// <list type="bullet">
/// <item>No x-death yet: x-first-death-reason, -queue and -exchange are set, then x-death = [one table of count (long
/// 1), reason, queue, time (timestamp), exchange, routing-keys (array), original-expiration (only when the message had
/// one)], the table's entries in that order. Each header set re-sorts the whole headers table by key.</item>
/// <item>x-death is an array: entries of the same queue and reason are first grouped (a relic of RabbitMQ before
/// 3.0.x); the entry for this queue and reason, if any, gets count + 1 (its time, exchange and routing keys stay as
/// they were) and moves to the front, else a new entry (count 1) goes to the front; the front entry's keys are
/// sorted; other entries are untouched; x-first-death-* are not touched.</item>
/// <item>x-death is anything else (a client rewrote it): it becomes a fresh one-entry array, and x-first-death-* are
/// not set.</item>
/// </list>
/// Difference: where RabbitMQ's queue process would crash on a malformed x-death (a non-table element, a non-integer
/// count), non-tables are kept as they are and such a count restarts at 1.
/// </summary>
public static class DeathHeaders
{
    public const string XDeath = "x-death";

    /// <param name="headers">The message's headers; null when it has none.</param>
    /// <param name="reason">Why the message died.</param>
    /// <param name="queueName">The queue it died in.</param>
    /// <param name="exchange">The exchange the message was last published to (or dead-lettered through).</param>
    /// <param name="routingKeys">x-death's routing-keys: its routing key, then the CC header's keys.</param>
    /// <param name="time">When it died (whole seconds are kept).</param>
    /// <param name="originalExpiration">The message's expiration property, when it had one.</param>
    public static List<KeyValuePair<string, object?>> Record(
        IReadOnlyList<KeyValuePair<string, object?>>? headers,
        DeadLetterReason reason,
        string queueName,
        string exchange,
        IReadOnlyList<string> routingKeys,
        DateTimeOffset time,
        string? originalExpiration)
    {
        headers ??= [];
        var reasonText = DeadLetterReasonText.Text(reason);
        var info = new List<KeyValuePair<string, object?>>
        {
            new("reason", reasonText),
            new("queue", queueName),
            new("time", new AmqpTimestamp((ulong)time.ToUnixTimeSeconds())),
            new("exchange", exchange),
            new("routing-keys", routingKeys.Select(key => (object?)key).ToArray()),
        };
        if (originalExpiration is not null)
        {
            info.Add(new("original-expiration", originalExpiration));
        }

        var newEntry = new List<KeyValuePair<string, object?>> { new("count", 1L) };
        newEntry.AddRange(info);

        switch (FieldTableEdits.Contains(headers, XDeath) ? FieldTableEdits.Lookup(headers, XDeath) : (object?)NoXDeath.Instance)
        {
            case NoXDeath:
                var withFirst = FieldTableEdits.SetValue(headers, "x-first-death-reason", reasonText);
                withFirst = FieldTableEdits.SetValue(withFirst, "x-first-death-queue", queueName);
                withFirst = FieldTableEdits.SetValue(withFirst, "x-first-death-exchange", exchange);
                return FieldTableEdits.SetValue(withFirst, XDeath, new object?[] { FieldTableEdits.ToTable(newEntry) });

            case IReadOnlyList<object?> deaths:
                var grouped = GroupByQueueAndReason(deaths);
                var matching = grouped.FirstOrDefault(death => IsFor(death, queueName, reasonText)) as FieldTable;
                var others = grouped.Where(death => !IsFor(death, queueName, reasonText));
                var front = matching is null ? newEntry : Incremented(matching);
                object?[] updated = [FieldTableEdits.ToTable(FieldTableEdits.SortedByKey(front)), .. others];
                return FieldTableEdits.SetValue(headers, XDeath, updated);

            default:
                return FieldTableEdits.SetValue(headers, XDeath, new object?[] { FieldTableEdits.ToTable(newEntry) });
        }
    }

    private static bool IsFor(object? death, string queueName, string reason) =>
        death is FieldTable table
        && ErlangValueEquality.IsBinary(FieldTableEdits.Lookup(table, "queue"), queueName)
        && ErlangValueEquality.IsBinary(FieldTableEdits.Lookup(table, "reason"), reason);

    private static List<KeyValuePair<string, object?>> Incremented(FieldTable death)
    {
        var entries = death.ToList();
        var index = entries.FindIndex(entry => entry.Key == "count");
        if (index < 0)
        {
            entries.Insert(0, new("count", 1L));
        }
        else
        {
            entries[index] = new("count", FieldTable.TryConvertToInt64(entries[index].Value, out var count) ? count + 1 : 1L);
        }

        return entries;
    }

    // rabbit_dead_letter:group_by_queue_and_reason/1, quirks included: one table is left alone; otherwise each
    // (queue, reason) keeps its first table, given a count of how many there were when it had none, and the groups come
    // out in reverse order of first appearance.
    private static List<object?> GroupByQueueAndReason(IReadOnlyList<object?> deaths)
    {
        if (deaths.Count <= 1)
        {
            return [.. deaths];
        }

        var seen = new List<(object? Queue, object? Reason)>();
        var grouped = new List<object?>();
        foreach (var death in deaths)
        {
            if (death is not FieldTable table)
            {
                grouped.Insert(0, death);
                continue;
            }

            var key = (Queue: FieldTableEdits.Lookup(table, "queue"), Reason: FieldTableEdits.Lookup(table, "reason"));
            var alreadySeen = seen.Any(s => ErlangValueEquality.TermsEqual(s.Queue, key.Queue) && ErlangValueEquality.TermsEqual(s.Reason, key.Reason));
            if (!alreadySeen || grouped.Count == 0)
            {
                var matches = deaths.OfType<FieldTable>().Where(other =>
                    ErlangValueEquality.TermsEqual(FieldTableEdits.Lookup(other, "queue"), key.Queue)
                    && ErlangValueEquality.TermsEqual(FieldTableEdits.Lookup(other, "reason"), key.Reason)).ToList();
                var first = matches[0];
                grouped.Insert(0, FieldTableEdits.Contains(first, "count") ? first : FieldTableEdits.ToTable([new("count", (long)matches.Count), .. first]));
            }

            seen.Add(key);
        }

        return grouped;
    }

    // Distinguishes "no x-death header" from an x-death header whose value is void.
    private sealed class NoXDeath
    {
        public static readonly NoXDeath Instance = new();
    }
}
