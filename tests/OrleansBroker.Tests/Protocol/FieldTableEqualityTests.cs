using OrleansBroker.Amqp;

namespace OrleansBroker.Tests.Protocol;

/// <summary>RabbitMQ sorts binding arguments by key (top level only) and then compares terms exactly.</summary>
public sealed class FieldTableEqualityTests
{
    [Fact]
    public void Top_level_order_does_not_matter()
    {
        var left = Table(("x-match", "all"), ("format", "pdf"), ("type", "report"));
        var right = Table(("type", "report"), ("x-match", "all"), ("format", "pdf"));

        Assert.Equal(left, right);
        Assert.Equal(left.GetHashCode(), right.GetHashCode());
    }

    [Fact]
    public void Values_compare_by_wire_type_and_value()
    {
        Assert.NotEqual(Table(("n", 1)), Table(("n", 1L)));
        Assert.NotEqual(Table(("n", 1)), Table(("n", 2)));
        Assert.NotEqual(Table(("n", "1")), Table(("n", 1)));
        Assert.NotEqual(Table(("b", new byte[] { 1 })), Table(("b", "\u0001")));
        Assert.Equal(Table(("b", new byte[] { 1, 2 })), Table(("b", new byte[] { 1, 2 })));
        Assert.Equal(Table(("d", new AmqpDecimal(2, 5))), Table(("d", new AmqpDecimal(2, 5))));
        Assert.NotEqual(Table(("d", new AmqpDecimal(2, 5))), Table(("d", new AmqpDecimal(1, 5))));
        Assert.Equal(Table(("v", null)), Table(("v", null)));
        Assert.NotEqual(Table(("v", null)), Table(("v", false)));
    }

    [Fact]
    public void Keys_and_counts_matter()
    {
        Assert.NotEqual(Table(("a", 1)), Table(("b", 1)));
        Assert.NotEqual(Table(("a", 1)), Table(("a", 1), ("b", 1)));
        Assert.NotEqual(FieldTable.Empty, Table(("a", 1)));
        Assert.Equal(FieldTable.Empty, new FieldTable([]));
    }

    [Fact]
    public void Duplicate_keys_keep_their_relative_order_as_a_stable_keysort_does()
    {
        Assert.Equal(Table(("a", 1), ("b", 0), ("a", 2)), Table(("b", 0), ("a", 1), ("a", 2)));
        Assert.NotEqual(Table(("a", 1), ("a", 2)), Table(("a", 2), ("a", 1)));
    }

    [Fact]
    public void Nested_tables_and_arrays_compare_deeply_in_wire_order()
    {
        var left = Table(("t", Table(("a", 1), ("list", new List<object?> { "x", Table(("k", true)) }))));
        var same = Table(("t", Table(("a", 1), ("list", new List<object?> { "x", Table(("k", true)) }))));
        var differentDeep = Table(("t", Table(("a", 1), ("list", new List<object?> { "x", Table(("k", false)) }))));
        var reorderedNested = Table(("t", Table(("list", new List<object?> { "x", Table(("k", true)) }), ("a", 1))));
        var reorderedArray = Table(("t", Table(("a", 1), ("list", new List<object?> { Table(("k", true)), "x" }))));

        Assert.Equal(left, same);
        Assert.Equal(left.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(left, differentDeep);
        Assert.NotEqual(left, reorderedNested);
        Assert.NotEqual(left, reorderedArray);
    }

    [Fact]
    public void Decoded_and_natural_arrays_are_alike()
    {
        Assert.Equal(Table(("a", new List<object?> { 1, "s" })), Table(("a", new object?[] { 1, "s" })));
        Assert.Equal(Table(("a", new List<object?> { 1, "s" })).GetHashCode(), Table(("a", new object?[] { 1, "s" })).GetHashCode());
    }

    [Fact]
    public void A_long_string_compares_by_its_bytes_whether_or_not_it_is_valid_utf8()
    {
        var text = Table(("s", "abc"));
        var bytes = Table(("s", new AmqpLongString("abc"u8.ToArray())));

        Assert.Equal(text, bytes);
        Assert.Equal(text.GetHashCode(), bytes.GetHashCode());
        Assert.NotEqual(Table(("s", new AmqpLongString([0xFF]))), Table(("s", new AmqpLongString([0xFE]))));
    }

    [Fact]
    public void Equal_tables_work_as_dictionary_keys()
    {
        var bindings = new HashSet<FieldTable> { Table(("x-match", "any"), ("a", 1)) };
        Assert.Contains(Table(("a", 1), ("x-match", "any")), bindings);
        Assert.DoesNotContain(Table(("a", 1L), ("x-match", "any")), bindings);
    }

    private static FieldTable Table(params (string Key, object? Value)[] entries) =>
        new(entries.Select(entry => new KeyValuePair<string, object?>(entry.Key, entry.Value)));
}
