using System.Text;
using OrleansBroker.Amqp;
using static OrleansBroker.Tests.Protocol.WireBytes;

namespace OrleansBroker.Tests.Protocol;

public sealed class FieldTableCodecTests
{
    /// <summary>One entry of every type RabbitMQ's parser accepts, nested arrays and tables, a duplicate key, an empty key.</summary>
    private static readonly byte[] EveryType = LengthPrefixed(
        Entry("bool", 't', 1),
        Entry("sbyte", 'b', 0xFE),
        Entry("byte", 'B', 0xFE),
        Entry("short", 's', 0xFF, 0xFE),
        Entry("ushort", 'u', 0xFF, 0xFE),
        Entry("int", 'I', 0xFF, 0xFF, 0xFF, 0xFE),
        Entry("uint", 'i', 0xFF, 0xFF, 0xFF, 0xFE),
        Entry("long", 'l', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE),
        Entry("decimal", 'D', 2, 0x00, 0x00, 0x30, 0x39),
        Entry("float", 'f', 0x3F, 0xC0, 0x00, 0x00),
        Entry("double", 'd', 0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18),
        Entry("string", 'S', LongString("héllo €")),
        Entry("not-utf8", 'S', LengthPrefixed([0xFF, 0xFE, 0x41])),
        Entry("binary", 'x', LengthPrefixed([0x00, 0x01, 0xFF])),
        Entry("array", 'A', LengthPrefixed(
            Item('I', 0, 0, 0, 1),
            Item('S', LongString("a")),
            Item('A', LengthPrefixed(Item('b', 0x7F))),
            Item('A', LengthPrefixed()),
            Item('F', LengthPrefixed(Entry("k", 'V'))),
            Item('V'))),
        Entry("timestamp", 'T', 0, 0, 0, 0, 0x65, 0x5C, 0x8B, 0x80),
        Entry("table", 'F', LengthPrefixed(
            Entry("z", 't', 0),
            Entry("a", 'F', LengthPrefixed(Entry("deep", 'A', LengthPrefixed(Item('l', LongLong(7)))))),
            Entry("empty", 'F', LengthPrefixed()))),
        Entry("void", 'V'),
        Entry("", 'S', LongString(string.Empty)),
        Entry("bool", 't', 0));

    [Fact]
    public void Every_type_decodes_to_its_value()
    {
        var table = new AmqpReader(EveryType).ReadTable();

        Assert.Equal(20, table.Count);
        Assert.Equal(true, Value(table, 0));
        Assert.Equal((sbyte)-2, Value(table, 1));
        Assert.Equal((byte)254, Value(table, 2));
        Assert.Equal((short)-2, Value(table, 3));
        Assert.Equal((ushort)65534, Value(table, 4));
        Assert.Equal(-2, Value(table, 5));
        Assert.Equal(4294967294u, Value(table, 6));
        Assert.Equal(-2L, Value(table, 7));
        Assert.Equal(new AmqpDecimal(2, 12345), Value(table, 8));
        Assert.Equal(1.5f, Value(table, 9));
        Assert.Equal(Math.PI, Value(table, 10));
        Assert.Equal("héllo €", Value(table, 11));
        Assert.Equal(new AmqpLongString([0xFF, 0xFE, 0x41]), Value(table, 12));
        Assert.Equal(new byte[] { 0, 1, 0xFF }, Value(table, 13));

        var array = Assert.IsType<List<object?>>(Value(table, 14));
        Assert.Equal(6, array.Count);
        Assert.Equal(1, array[0]);
        Assert.Equal("a", array[1]);
        Assert.Equal((sbyte)127, Assert.Single(Assert.IsType<List<object?>>(array[2])));
        Assert.Empty(Assert.IsType<List<object?>>(array[3]));
        Assert.Equal("k", Assert.Single(Assert.IsType<FieldTable>(array[4])).Key);
        Assert.Null(array[5]);

        Assert.Equal(new AmqpTimestamp(1700563840), Value(table, 15));
        var nested = Assert.IsType<FieldTable>(Value(table, 16));
        Assert.Equal(["z", "a", "empty"], nested.Select(entry => entry.Key));
        var deep = Assert.IsType<FieldTable>(nested[1].Value);
        Assert.Equal(7L, Assert.Single(Assert.IsType<List<object?>>(deep[0].Value)));
        Assert.Same(FieldTable.Empty, nested[2].Value);
        Assert.Null(Value(table, 17));
        Assert.Equal(string.Empty, table[18].Key);
        Assert.Equal(string.Empty, Value(table, 18));
        Assert.Equal(("bool", (object?)false), (table[19].Key, table[19].Value));
        Assert.True(table.TryGetValue("bool", out var first) && (bool)first!);
    }

    [Fact]
    public void Every_type_reencodes_byte_identical()
    {
        var table = new AmqpReader(EveryType).ReadTable();

        Assert.Equal(EveryType, Encode(table));
    }

    [Fact]
    public void Every_strict_prefix_throws_AmqpFormatException()
    {
        for (var length = 0; length < EveryType.Length; length++)
        {
            var prefix = EveryType[..length];
            Assert.Throws<AmqpFormatException>(() => new AmqpReader(prefix).ReadTable());
            Assert.Throws<AmqpFormatException>(() => new AmqpReader(prefix).SkipTable());
        }
    }

    [Fact]
    public void A_table_whose_length_cuts_an_entry_throws_AmqpFormatException()
    {
        // Fix the outer length one short, so the last entry is cut inside the table's own bounds.
        var cut = EveryType.ToArray();
        cut[3]--;
        Assert.Throws<AmqpFormatException>(() => new AmqpReader(cut).ReadTable());
        Assert.Throws<AmqpFormatException>(() => new AmqpReader(cut).SkipTable());
    }

    [Theory]
    [InlineData('U')]
    [InlineData('z')]
    [InlineData(0)]
    [InlineData(0xFF)]
    public void Unknown_type_tags_throw_AmqpFormatException(int tag)
    {
        var bytes = LengthPrefixed(Entry("k", (char)tag, 0, 0, 0, 0));
        Assert.Throws<AmqpFormatException>(() => new AmqpReader(bytes).ReadTable());
        Assert.Throws<AmqpFormatException>(() => new AmqpReader(bytes).SkipTable());
        var inArray = LengthPrefixed(Entry("k", 'A', LengthPrefixed(Item((char)tag, 0, 0, 0, 0))));
        Assert.Throws<AmqpFormatException>(() => new AmqpReader(inArray).ReadTable());
        Assert.Throws<AmqpFormatException>(() => new AmqpReader(inArray).SkipTable());
    }

    [Fact]
    public void Capital_L_reads_as_a_signed_64_bit_value_as_RabbitMQ_does()
    {
        var bytes = LengthPrefixed(Entry("k", 'L', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
        var table = new AmqpReader(bytes).ReadTable();
        Assert.Equal(-1L, Value(table, 0));

        // rabbit_binary_generator writes it back as 'l'.
        Assert.Equal(LengthPrefixed(Entry("k", 'l', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)), Encode(table));
    }

    [Theory]
    [InlineData('f', new byte[] { 0x7F, 0xC0, 0, 0 })]
    [InlineData('f', new byte[] { 0x7F, 0x80, 0, 0 })]
    [InlineData('d', new byte[] { 0x7F, 0xF8, 0, 0, 0, 0, 0, 0 })]
    [InlineData('d', new byte[] { 0xFF, 0xF0, 0, 0, 0, 0, 0, 0 })]
    public void Non_finite_floats_are_refused_as_Erlang_cannot_match_them(char tag, byte[] value)
    {
        var bytes = LengthPrefixed(Entry("k", tag, value));
        Assert.Throws<AmqpFormatException>(() => new AmqpReader(bytes).ReadTable());
        Assert.Throws<AmqpFormatException>(() => new AmqpReader(bytes).SkipTable());
    }

    [Fact]
    public void Nesting_is_limited_so_hostile_input_cannot_overflow_the_stack()
    {
        Assert.Equal(FieldValueTags.MaxNestingDepth, Depth(new AmqpReader(Nested(FieldValueTags.MaxNestingDepth)).ReadTable()));
        new AmqpReader(Nested(FieldValueTags.MaxNestingDepth)).SkipTable();

        var tooDeep = Nested(FieldValueTags.MaxNestingDepth + 1);
        Assert.Throws<AmqpFormatException>(() => new AmqpReader(tooDeep).ReadTable());
        Assert.Throws<AmqpFormatException>(() => new AmqpReader(tooDeep).SkipTable());

        static byte[] Nested(int levels)
        {
            var table = LengthPrefixed(Entry("leaf", 'V'));
            for (var level = 1; level < levels; level++)
            {
                table = LengthPrefixed(Entry(string.Empty, 'F', table));
            }

            return table;
        }

        static int Depth(FieldTable table) => table[0].Value is FieldTable inner ? 1 + Depth(inner) : 1;
    }

    [Fact]
    public void Natural_values_get_RabbitMQ_clients_tags()
    {
        var table = new FieldTable(new Dictionary<string, object?>
        {
            ["s"] = "hi",
            ["i"] = 1,
            ["l"] = 2L,
            ["t"] = true,
            ["x"] = new byte[] { 9 },
            ["F"] = new Dictionary<string, object?> { ["n"] = null },
            ["V"] = null,
            ["A"] = new object?[] { (short)3, (ushort)4 },
            ["strings"] = new List<string> { "q" },
            ["ints"] = new[] { 5 },
            ["u"] = 6u,
            ["b"] = (sbyte)-1,
            ["B"] = (byte)1,
            ["f"] = 0.5f,
            ["d"] = 0.25,
            ["D"] = 1.25m,
            ["T"] = new AmqpTimestamp(10),
        });

        var expected = LengthPrefixed(
            Entry("s", 'S', LongString("hi")),
            Entry("i", 'I', 0, 0, 0, 1),
            Entry("l", 'l', LongLong(2)),
            Entry("t", 't', 1),
            Entry("x", 'x', LengthPrefixed([9])),
            Entry("F", 'F', LengthPrefixed(Entry("n", 'V'))),
            Entry("V", 'V'),
            Entry("A", 'A', LengthPrefixed(Item('s', 0, 3), Item('u', 0, 4))),
            Entry("strings", 'A', LengthPrefixed(Item('S', LongString("q")))),
            Entry("ints", 'A', LengthPrefixed(Item('I', 0, 0, 0, 5))),
            Entry("u", 'i', 0, 0, 0, 6),
            Entry("b", 'b', 0xFF),
            Entry("B", 'B', 1),
            Entry("f", 'f', 0x3F, 0, 0, 0),
            Entry("d", 'd', 0x3F, 0xD0, 0, 0, 0, 0, 0, 0),
            Entry("D", 'D', 2, 0, 0, 0, 125),
            Entry("T", 'T', LongLong(10)));
        Assert.Equal(expected, Encode(table));
    }

    [Fact]
    public void A_dictionary_writes_as_a_table_directly()
    {
        var entries = new Dictionary<string, object?> { ["a"] = 1 };
        var buffer = new byte[AmqpSizes.Table(entries)];
        var writer = new AmqpWriter(buffer);
        writer.WriteTable(entries);
        Assert.Equal(LengthPrefixed(Entry("a", 'I', 0, 0, 0, 1)), buffer);
    }

    [Fact]
    public void Values_without_an_AMQP_type_are_refused()
    {
        var table = new FieldTable([new("k", new object())]);
        Assert.Throws<ArgumentException>(() => AmqpSizes.Table(table));
        Assert.Throws<ArgumentException>(() =>
        {
            var writer = new AmqpWriter(new byte[64]);
            writer.WriteTable(table);
        });
        Assert.Throws<ArgumentOutOfRangeException>(() => AmqpSizes.FieldValue(decimal.MaxValue));
    }

    [Fact]
    public void A_table_that_contains_itself_is_refused_not_a_stack_overflow()
    {
        var cycle = new List<object?>();
        cycle.Add(cycle);
        var table = new FieldTable([new("k", cycle)]);
        Assert.Throws<ArgumentException>(() => AmqpSizes.Table(table));
    }

    [Fact]
    public void Sizes_match_what_is_written()
    {
        var table = new AmqpReader(EveryType).ReadTable();
        Assert.Equal(EveryType.Length, AmqpSizes.Table(table));
        foreach (var (_, value) in table)
        {
            var buffer = new byte[AmqpSizes.FieldValue(value)];
            var writer = new AmqpWriter(buffer);
            writer.WriteFieldValue(value);
            Assert.Equal(buffer.Length, writer.Written);
            Assert.Equal(value is null ? null : value.GetType(), new AmqpReader(buffer).ReadFieldValue()?.GetType());
        }
    }

    [Fact]
    public void Decimals_convert_to_and_from_System_Decimal()
    {
        Assert.Equal(new AmqpDecimal(3, -1234), AmqpDecimal.FromDecimal(-1.234m));
        Assert.Equal(new AmqpDecimal(0, int.MinValue), AmqpDecimal.FromDecimal(int.MinValue));
        Assert.Equal(-1.234m, new AmqpDecimal(3, -1234).ToDecimal());
        Assert.Equal((decimal)int.MinValue, new AmqpDecimal(0, int.MinValue).ToDecimal());
        Assert.Throws<ArgumentOutOfRangeException>(() => AmqpDecimal.FromDecimal(int.MaxValue + 1m));
    }

    [Fact]
    public void Headers_encoded_by_RabbitMQ_Client_decode_and_reencode_byte_identical()
    {
        var properties = new RabbitMQ.Client.BasicProperties
        {
            Headers = new Dictionary<string, object?>
            {
                ["string"] = "héllo",
                ["int"] = -7,
                ["long"] = long.MinValue,
                ["bool"] = true,
                ["double"] = 2.5,
                ["float"] = -0.5f,
                ["bytes"] = Encoding.UTF8.GetBytes("raw"),
                ["null"] = null,
                ["decimal"] = 12.34m,
                ["timestamp"] = new RabbitMQ.Client.AmqpTimestamp(1700000000),
                ["nested"] = new Dictionary<string, object?> { ["list"] = new List<object?> { 1, "two", null } },
            },
        };
        var raw = RabbitMqClientEncoding.Properties(properties);
        var headersAt = 2; // flags word, then headers is the first property present

        var reader = new AmqpReader(raw.AsSpan(headersAt));
        var table = reader.ReadTable();
        Assert.Equal(raw.Length - headersAt, reader.Consumed);

        Assert.Equal("héllo", table.GetString("string"));
        Assert.True(table.TryGetInt64("int", out var number) && number == -7);
        Assert.True(table.TryGetInt64("long", out number) && number == long.MinValue);
        Assert.True(table.TryGetValue("bool", out var flag) && flag is true);
        Assert.True(table.TryGetValue("double", out var real) && real is 2.5);
        Assert.True(table.TryGetValue("float", out real) && real is -0.5f);
        Assert.True(table.TryGetValue("null", out var nothing) && nothing is null);
        Assert.True(table.TryGetValue("decimal", out var dec) && dec is AmqpDecimal { Scale: 2, Value: 1234 });
        Assert.True(table.TryGetValue("timestamp", out var time) && time is AmqpTimestamp { UnixSeconds: 1700000000 });
        Assert.True(table.TryGetValue("nested", out var nested));
        var list = Assert.IsType<List<object?>>(Assert.IsType<FieldTable>(nested)[0].Value);
        Assert.Equal(new object?[] { 1, "two", null }, list);

        Assert.Equal(raw[headersAt..], Encode(table));
    }

    private static object? Value(FieldTable table, int index) => table[index].Value;

    private static byte[] Encode(FieldTable table)
    {
        var buffer = new byte[AmqpSizes.Table(table)];
        var writer = new AmqpWriter(buffer);
        writer.WriteTable(table);
        Assert.Equal(buffer.Length, writer.Written);
        return buffer;
    }
}
