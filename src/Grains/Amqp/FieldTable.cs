using System.Collections;

namespace OrleansBroker.Amqp;

/// <summary>
/// An AMQP field table as received: entries in wire order, each value typed as the wire typed it,
/// so that decoding then encoding gives the same bytes. Value types by wire tag:
/// t bool, b sbyte, B byte, s short, u ushort, I int, i uint, l long, D <see cref="AmqpDecimal"/>,
/// f float, d double, S string (or <see cref="AmqpLongString"/> when the bytes are not valid UTF-8),
/// x byte[], A <see cref="IReadOnlyList{T}"/> of object?, T <see cref="AmqpTimestamp"/>, F FieldTable, V null.
/// Immutable once built.
/// Equality is RabbitMQ's for binding arguments: entries compared after a stable sort by key (so top-level order
/// does not matter), each value by wire type and value, nested tables and arrays deeply and in wire order.
/// </summary>
[Immutable]
public sealed class FieldTable : IReadOnlyList<KeyValuePair<string, object?>>, IEquatable<FieldTable>
{
    public static readonly FieldTable Empty = new([]);

    private readonly KeyValuePair<string, object?>[] _entries;

    public FieldTable(KeyValuePair<string, object?>[] entries)
    {
        _entries = entries;
    }

    public FieldTable(IEnumerable<KeyValuePair<string, object?>> entries)
        : this(entries.ToArray())
    {
    }

    public int Count => _entries.Length;

    public KeyValuePair<string, object?> this[int index] => _entries[index];

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <summary>The value of the first entry named <paramref name="key"/>.</summary>
    public bool TryGetValue(string key, out object? value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _entries[index].Value : null;
        return index >= 0;
    }

    /// <summary>A string value (S, or a long string that is not UTF-8 decoded leniently); null when absent or not a string.</summary>
    public string? GetString(string key) => TryGetValue(key, out var value) ? value switch
    {
        string s => s,
        AmqpLongString l => l.ToString(),
        _ => null,
    } : null;

    /// <summary>An integer value of any integer wire type.</summary>
    public bool TryGetInt64(string key, out long result)
    {
        result = 0;
        return TryGetValue(key, out var value) && TryConvertToInt64(value, out result);
    }

    /// <summary>The value of any integer wire type (b B s u I i l) as a long; false for anything else.</summary>
    public static bool TryConvertToInt64(object? value, out long result)
    {
        switch (value)
        {
            case sbyte v: result = v; return true;
            case byte v: result = v; return true;
            case short v: result = v; return true;
            case ushort v: result = v; return true;
            case int v: result = v; return true;
            case uint v: result = v; return true;
            case long v: result = v; return true;
            default: result = 0; return false;
        }
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(FieldTable? other) => other is not null && FieldValueEquality.TablesEqual(this, other);

    public override bool Equals(object? obj) => Equals(obj as FieldTable);

    public override int GetHashCode() => FieldValueEquality.TableHash(this);

    public override string ToString() => FieldValueText.Table(this);

    private int IndexOf(string key)
    {
        for (var i = 0; i < _entries.Length; i++)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
