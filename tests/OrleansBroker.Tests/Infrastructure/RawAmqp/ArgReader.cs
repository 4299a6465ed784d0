using System.Buffers.Binary;
using System.Text;

namespace OrleansBroker.Tests.Infrastructure.RawAmqp;

/// <summary>Reads method arguments; throws <see cref="FormatException"/> on truncation.</summary>
internal sealed class ArgReader(byte[] buffer, int offset)
{
    private int _pos = offset;
    private int _bitCount = 8;
    private byte _bits;

    public int Remaining => buffer.Length - _pos;

    public byte Octet() => Take(1)[0];

    public ushort Short() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public uint Long() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public ulong LongLong() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

    /// <summary>Consecutive bits share an octet, least significant bit first; any other field ends the run.</summary>
    public bool Bit()
    {
        if (_bitCount == 8)
        {
            _bits = Take(1)[0];
            _bitCount = 0;
        }

        return (_bits & (1 << _bitCount++)) != 0;
    }

    public string ShortStr() => Encoding.UTF8.GetString(Take(Octet()));

    public byte[] LongStrBytes()
    {
        var len = Long();
        if (len > int.MaxValue)
        {
            throw new FormatException("longstr too long");
        }

        return Take((int)len).ToArray();
    }

    public string LongStr() => Encoding.UTF8.GetString(LongStrBytes());

    public Dictionary<string, object?> Table()
    {
        var body = LongStrBytes();
        var inner = new ArgReader(body, 0);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (inner.Remaining > 0)
        {
            var key = inner.ShortStr();
            result[key] = inner.FieldValue();
        }

        return result;
    }

    private object? FieldValue()
    {
        var type = (char)Octet();
        switch (type)
        {
            case 't': return Octet() != 0;
            case 'b': return unchecked((sbyte)Octet());
            case 'B': return Octet();
            case 's': return unchecked((short)Short());
            case 'u': return Short();
            case 'I': return unchecked((int)Long());
            case 'i': return Long();
            case 'l': return unchecked((long)LongLong());
            case 'f': return BitConverter.Int32BitsToSingle(unchecked((int)Long()));
            case 'd': return BitConverter.Int64BitsToDouble(unchecked((long)LongLong()));
            case 'D':
                {
                    var scale = Octet();
                    var value = unchecked((int)Long());
                    return new decimal(Math.Abs(value), 0, 0, value < 0, scale);
                }

            case 'S': return LongStrBytes();
            case 'x': return LongStrBytes();
            case 'T': return LongLong();
            case 'F': return Table();
            case 'A':
                {
                    var body = LongStrBytes();
                    var inner = new ArgReader(body, 0);
                    var list = new List<object?>();
                    while (inner.Remaining > 0)
                    {
                        list.Add(inner.FieldValue());
                    }

                    return list;
                }

            case 'V': return null;
            default: throw new FormatException($"unknown field type '{type}'");
        }
    }

    /// <summary>The next <paramref name="count"/> octets; a field that is not a bit ends a run of bits.</summary>
    private ReadOnlySpan<byte> Take(int count)
    {
        _bitCount = 8;
        if (count < 0 || _pos + count > buffer.Length)
        {
            throw new FormatException($"need {count} octets at {_pos}, have {buffer.Length - _pos}");
        }

        var octets = buffer.AsSpan(_pos, count);
        _pos += count;
        return octets;
    }
}
