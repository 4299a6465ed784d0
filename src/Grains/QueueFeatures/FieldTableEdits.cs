using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// Edits of a field table's entries the way RabbitMQ makes them when it rewrites headers, since the resulting order
/// is visible to clients: rabbit_misc:set_table_value replaces the first entry of a key in place (or appends) and then
/// sorts the whole table by key (stable, by bytes); lists:keydelete removes the first entry of a key, keeping order.
/// </summary>
internal static class FieldTableEdits
{
    public static object? Lookup(IReadOnlyList<KeyValuePair<string, object?>> entries, string key)
    {
        var index = IndexOf(entries, key);
        return index < 0 ? null : entries[index].Value;
    }

    public static bool Contains(IReadOnlyList<KeyValuePair<string, object?>> entries, string key) => IndexOf(entries, key) >= 0;

    /// <summary>rabbit_misc:set_table_value/4.</summary>
    public static List<KeyValuePair<string, object?>> SetValue(IReadOnlyList<KeyValuePair<string, object?>> entries, string key, object? value)
    {
        var result = new List<KeyValuePair<string, object?>>(entries);
        var index = IndexOf(entries, key);
        if (index >= 0)
        {
            result[index] = new(key, value);
        }
        else
        {
            result.Add(new(key, value));
        }

        return SortedByKey(result);
    }

    /// <summary>lists:keydelete/3: without the first entry of <paramref name="key"/>.</summary>
    public static List<KeyValuePair<string, object?>> Delete(IReadOnlyList<KeyValuePair<string, object?>> entries, string key)
    {
        var result = new List<KeyValuePair<string, object?>>(entries);
        var index = IndexOf(entries, key);
        if (index >= 0)
        {
            result.RemoveAt(index);
        }

        return result;
    }

    /// <summary>rabbit_misc:sort_field_table/1: a stable sort by key bytes.</summary>
    public static List<KeyValuePair<string, object?>> SortedByKey(IEnumerable<KeyValuePair<string, object?>> entries) =>
        entries.OrderBy(entry => entry.Key, Utf8ByteOrder.Instance).ToList();

    public static FieldTable ToTable(IEnumerable<KeyValuePair<string, object?>> entries) => new(entries.ToArray());

    private static int IndexOf(IReadOnlyList<KeyValuePair<string, object?>> entries, string key)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (string.Equals(entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
