using OrleansBroker.Amqp;

namespace OrleansBroker.Tests.Protocol;

public sealed class AmqpReaderWriterTests
{
    [Fact]
    public void Integers_are_big_endian()
    {
        var buffer = new byte[15];
        var writer = new AmqpWriter(buffer);
        writer.WriteOctet(0xAB);
        writer.WriteShort(0x0102);
        writer.WriteLong(0x03040506);
        writer.WriteLongLong(0x0708090A0B0C0D0E);

        Assert.Equal(15, writer.Written);
        Assert.Equal(Convert.FromHexString("AB0102030405060708090A0B0C0D0E"), buffer);
        var reader = new AmqpReader(buffer);
        Assert.Equal(0xAB, reader.ReadOctet());
        Assert.Equal(0x0102, reader.ReadShort());
        Assert.Equal(0x03040506u, reader.ReadLong());
        Assert.Equal(0x0708090A0B0C0D0EUL, reader.ReadLongLong());
        Assert.Equal(15, reader.Consumed);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Consecutive_bits_share_octets_least_significant_bit_first()
    {
        bool[] bits = [true, false, true, true, false, false, false, true, false, true];
        var buffer = new byte[2];
        var writer = new AmqpWriter(buffer);
        foreach (var bit in bits)
        {
            writer.WriteBit(bit);
        }

        Assert.Equal(2, writer.Written);
        Assert.Equal(new byte[] { 0b1000_1101, 0b0000_0010 }, buffer);
        var reader = new AmqpReader(buffer);
        foreach (var bit in bits)
        {
            Assert.Equal(bit, reader.ReadBit());
        }

        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Any_other_field_ends_the_packed_octet()
    {
        var buffer = new byte[4];
        var writer = new AmqpWriter(buffer);
        writer.WriteBit(true);
        writer.WriteBit(true);
        writer.WriteOctet(0x55);
        writer.WriteBit(false);
        writer.WriteBit(true);
        writer.WriteShortString(string.Empty);

        Assert.Equal(4, writer.Written);
        Assert.Equal(new byte[] { 0b11, 0x55, 0b10, 0 }, buffer);
        var reader = new AmqpReader(buffer);
        Assert.True(reader.ReadBit());
        Assert.True(reader.ReadBit());
        Assert.Equal(0x55, reader.ReadOctet());
        Assert.False(reader.ReadBit());
        Assert.True(reader.ReadBit());
        Assert.Equal(string.Empty, reader.ReadShortString());
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Strings_are_length_prefixed_utf8()
    {
        const string text = "rïbbit-€";
        var size = AmqpSizes.ShortString(text) + AmqpSizes.LongString(text) + AmqpSizes.LongString(new byte[] { 0xFF, 0x00 });
        var buffer = new byte[size];
        var writer = new AmqpWriter(buffer);
        writer.WriteShortString(text);
        writer.WriteLongString(text);
        writer.WriteLongString(new byte[] { 0xFF, 0x00 });

        Assert.Equal(size, writer.Written);
        var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
        byte[] expected = [(byte)utf8.Length, .. utf8, 0, 0, 0, (byte)utf8.Length, .. utf8, 0, 0, 0, 2, 0xFF, 0x00];
        Assert.Equal(expected, buffer);

        var reader = new AmqpReader(buffer);
        Assert.Equal(text, reader.ReadShortString());
        Assert.Equal(text, reader.ReadLongString());
        Assert.Equal(new byte[] { 0xFF, 0x00 }, reader.ReadLongStringBytes());
    }

    [Fact]
    public void Ascii_short_strings_keep_the_rules_of_the_general_path()
    {
        // 256 ASCII characters: refused like 256 octets of anything else.
        Assert.Throws<ArgumentException>(() =>
        {
            var w = new AmqpWriter(new byte[600]);
            w.WriteShortString(new string('a', 256));
        });

        // A destination sized one octet short: a sizing error, nothing written past it.
        Assert.Throws<ArgumentException>(() =>
        {
            var w = new AmqpWriter(new byte[4]);
            w.WriteShortString("abcd");
        });

        // Bits before and after a short string each start their own octet.
        var buffer = new byte[6];
        var writer = new AmqpWriter(buffer);
        writer.WriteBit(true);
        writer.WriteShortString("key");
        writer.WriteBit(true);
        writer.WriteBit(true);
        Assert.Equal(6, writer.Written);
        Assert.Equal(new byte[] { 1, 3, (byte)'k', (byte)'e', (byte)'y', 3 }, buffer);
    }

    [Fact]
    public void Short_strings_over_255_utf8_octets_are_refused()
    {
        var buffer = new byte[600];
        var fits = new string('a', 255);
        var tooLong = new string('é', 128); // 256 octets in UTF-8
        var writer = new AmqpWriter(buffer);
        writer.WriteShortString(fits);
        Assert.Equal(256, writer.Written);

        Assert.Throws<ArgumentException>(() =>
        {
            var w = new AmqpWriter(buffer);
            w.WriteShortString(tooLong);
        });
    }

    [Fact]
    public void Null_strings_bytes_and_tables_are_written_empty()
    {
        var size = AmqpSizes.ShortString(null) + AmqpSizes.LongString((string?)null) + AmqpSizes.LongString((byte[]?)null)
            + AmqpSizes.Table((FieldTable?)null);
        var buffer = new byte[size];
        var writer = new AmqpWriter(buffer);
        writer.WriteShortString((string?)null);
        writer.WriteLongString((string?)null);
        writer.WriteLongString((byte[]?)null);
        writer.WriteTable((FieldTable?)null);

        Assert.Equal(13, writer.Written);
        Assert.Equal(new byte[13], buffer);
    }

    [Fact]
    public void Empty_table_reads_as_the_shared_empty_instance()
    {
        var reader = new AmqpReader(new byte[] { 0, 0, 0, 0 });
        Assert.Same(FieldTable.Empty, reader.ReadTable());
    }

    [Fact]
    public void Writing_past_the_destination_is_refused()
    {
        Assert.Throws<ArgumentException>(() =>
        {
            var writer = new AmqpWriter(new byte[3]);
            writer.WriteLong(1);
        });
    }

    [Fact]
    public void Trailing_octets_are_reported()
    {
        var reader = new AmqpReader(new byte[] { 1, 2 });
        reader.ReadOctet();
        try
        {
            reader.EnsureFullyConsumed();
            Assert.Fail("trailing octet not reported");
        }
        catch (AmqpFormatException)
        {
        }

        reader.ReadOctet();
        reader.EnsureFullyConsumed();
    }

    public static TheoryData<string> Reads => ["octet", "short", "long", "longlong", "bit", "shortstr", "longstr", "longstr-bytes", "table", "bytes"];

    [Theory]
    [MemberData(nameof(Reads))]
    public void Every_read_past_the_end_throws_AmqpFormatException(string read)
    {
        // A well-formed value of each kind, then every strict prefix of it.
        byte[] whole = read switch
        {
            "octet" => [1],
            "short" => [1, 2],
            "long" => [1, 2, 3, 4],
            "longlong" => [1, 2, 3, 4, 5, 6, 7, 8],
            "bit" => [1],
            "shortstr" => [3, (byte)'a', (byte)'b', (byte)'c'],
            "longstr" or "longstr-bytes" => [0, 0, 0, 2, (byte)'h', (byte)'i'],
            "table" => [0, 0, 0, 7, 1, (byte)'k', (byte)'b', 0xFF, 1, (byte)'v', (byte)'V'],
            "bytes" => [1, 2, 3],
            _ => throw new ArgumentOutOfRangeException(nameof(read)),
        };

        Read(whole, read);
        for (var length = 0; length < whole.Length; length++)
        {
            var prefix = whole[..length];
            Assert.Throws<AmqpFormatException>(() => Read(prefix, read));
        }
    }

    [Fact]
    public void A_long_string_longer_than_the_buffer_is_truncated_not_an_overflow()
    {
        Assert.Throws<AmqpFormatException>(() => new AmqpReader(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0 }).ReadLongStringBytes());
        Assert.Throws<AmqpFormatException>(() => new AmqpReader(new byte[] { 0x80, 0, 0, 0, 0 }).ReadTable());
    }

    private static void Read(byte[] bytes, string read)
    {
        var reader = new AmqpReader(bytes);
        switch (read)
        {
            case "octet": reader.ReadOctet(); break;
            case "short": reader.ReadShort(); break;
            case "long": reader.ReadLong(); break;
            case "longlong": reader.ReadLongLong(); break;
            case "bit": reader.ReadBit(); break;
            case "shortstr": reader.ReadShortString(); break;
            case "longstr": reader.ReadLongString(); break;
            case "longstr-bytes": reader.ReadLongStringBytes(); break;
            case "table": reader.ReadTable(); break;
            case "bytes": reader.ReadBytes(3); break;
        }
    }
}
