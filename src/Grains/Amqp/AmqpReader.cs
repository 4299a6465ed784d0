using System.Buffers.Binary;
using System.Text;

namespace OrleansBroker.Amqp;

/// <summary>
/// Reads AMQP 0-9-1 encoded values (big-endian integers, short and long strings, field tables) from a span,
/// in place. Consecutive bit fields share octets, least significant bit first; any other read ends the packed
/// octet, as in the spec's method argument encoding. Every read past the end throws <see cref="AmqpFormatException"/>.
/// </summary>
public ref partial struct AmqpReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    // The octet bits are being read from, and the mask of the next bit in it; mask 0 means no octet is open.
    private byte _bitOctet;
    private int _bitMask;

    public AmqpReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
        _bitOctet = 0;
        _bitMask = 0;
    }

    /// <summary>Octets read so far.</summary>
    public readonly int Consumed => _position;

    /// <summary>Octets not read yet.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    public byte ReadOctet() => Take(1)[0];

    public ushort ReadShort() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public uint ReadLong() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public ulong ReadLongLong() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

    public bool ReadBit()
    {
        if (_bitMask == 0)
        {
            _bitOctet = Take(1)[0];
            _bitMask = 1;
        }

        var value = (_bitOctet & _bitMask) != 0;
        _bitMask = _bitMask == 0x80 ? 0 : _bitMask << 1;
        return value;
    }

    /// <summary>A short string; bytes that are not UTF-8 are refused, as RabbitMQ refuses them.</summary>
    public string ReadShortString() => DecodeShortString(ReadShortStringBytes());

    /// <summary>A short string through a cache of recent ones (see <see cref="ShortStringCache"/>).</summary>
    public string ReadShortString(ShortStringCache cache) => cache.Get(ReadShortStringBytes());

    /// <summary>Short strings are UTF-8; malformed bytes are a format error.</summary>
    internal static string DecodeShortString(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw AmqpFormatException.MalformedShortString();
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The bytes of a short string, without copying them.</summary>
    public ReadOnlySpan<byte> ReadShortStringBytes()
    {
        var length = ReadOctet();
        return Take(length);
    }

    public void SkipShortString() => ReadShortStringBytes();

    public byte[] ReadLongStringBytes()
    {
        var bytes = ReadLongStringSpan();
        return bytes.IsEmpty ? [] : bytes.ToArray();
    }

    /// <summary>A long string decoded as UTF-8 (invalid sequences become U+FFFD).</summary>
    public string ReadLongString()
    {
        var bytes = ReadLongStringSpan();
        return bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>The bytes of a long string (or of any 32-bit length-prefixed value), without copying them.</summary>
    public ReadOnlySpan<byte> ReadLongStringSpan()
    {
        var length = ReadLong();
        if (length > (uint)Remaining)
        {
            throw AmqpFormatException.Truncated(length, Remaining);
        }

        return Take((int)length);
    }

    public void SkipLongString() => ReadLongStringSpan();

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Take(count);
    }

    /// <summary>Throws unless every octet has been read: RabbitMQ refuses method arguments with trailing octets.</summary>
    public readonly void EnsureFullyConsumed()
    {
        if (_position != _buffer.Length)
        {
            throw new AmqpFormatException($"{Remaining} unexpected trailing octet(s)");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        _bitMask = 0;
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            throw AmqpFormatException.Truncated(count, Remaining);
        }

        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }
}
