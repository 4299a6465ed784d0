using System.Buffers.Binary;
using System.Text;

namespace OrleansBroker.Tests.Infrastructure.RawAmqp;

/// <summary>Writes method arguments and content properties in network byte order.</summary>
internal sealed class ArgWriter
{
    private readonly MemoryStream _stream = new();
    private int _bitCount;
    private long _bitPosition = -1;

    public ArgWriter Octet(byte value) => Raw([value]);

    public ArgWriter Short(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        return Raw(b);
    }

    public ArgWriter Long(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return Raw(b);
    }

    public ArgWriter LongLong(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        return Raw(b);
    }

    public ArgWriter ShortStr(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > 255)
        {
            throw new ArgumentException("shortstr longer than 255 octets", nameof(value));
        }

        return Octet((byte)bytes.Length).Raw(bytes);
    }

    public ArgWriter LongStr(string value) => LongStr(Encoding.UTF8.GetBytes(value));

    public ArgWriter LongStr(byte[] value) => Long((uint)value.Length).Raw(value);

    /// <summary>Consecutive bits share octets, least significant bit first (spec 4.2.5.2).</summary>
    public ArgWriter Bit(bool value)
    {
        if (_bitPosition < 0 || _bitCount == 8)
        {
            _bitPosition = _stream.Position;
            _stream.WriteByte(0);
            _bitCount = 0;
        }

        if (value)
        {
            var end = _stream.Position;
            _stream.Position = _bitPosition;
            var current = (byte)_stream.ReadByte();
            _stream.Position = _bitPosition;
            _stream.WriteByte((byte)(current | (1 << _bitCount)));
            _stream.Position = end;
        }

        _bitCount++;
        return this;
    }

    /// <summary>A field table with its 4-octet length prefix.</summary>
    public ArgWriter Table(IReadOnlyDictionary<string, object?> table) => LongStr(EncodeTableBody(table));

    public ArgWriter Raw(ReadOnlySpan<byte> bytes)
    {
        EndBits();
        _stream.Write(bytes);
        return this;
    }

    public byte[] ToArray() => _stream.ToArray();

    /// <summary>The field-value pairs of a table, without the length prefix (also AMQPLAIN's response format).</summary>
    public static byte[] EncodeTableBody(IReadOnlyDictionary<string, object?> table)
    {
        var w = new ArgWriter();
        foreach (var (key, value) in table)
        {
            w.ShortStr(key);
            w.FieldValue(value);
        }

        return w.ToArray();
    }

    private void FieldValue(object? value)
    {
        switch (value)
        {
            case null:
                Octet((byte)'V');
                break;
            case bool b:
                Octet((byte)'t').Octet(b ? (byte)1 : (byte)0);
                break;
            case int i:
                Octet((byte)'I').Long(unchecked((uint)i));
                break;
            case long l:
                Octet((byte)'l').LongLong(unchecked((ulong)l));
                break;
            case string s:
                Octet((byte)'S').LongStr(s);
                break;
            case byte[] bytes:
                Octet((byte)'S').LongStr(bytes);
                break;
            case IReadOnlyDictionary<string, object?> nested:
                Octet((byte)'F').Table(nested);
                break;
            default:
                throw new ArgumentException($"unsupported field value {value.GetType()}", nameof(value));
        }
    }

    private void EndBits()
    {
        _bitPosition = -1;
        _bitCount = 0;
    }
}
