using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace OrleansBroker.Amqp;

/// <summary>
/// Writes AMQP 0-9-1 encoded values into a span sized beforehand with <see cref="AmqpSizes"/>. Consecutive bit
/// fields share octets, least significant bit first; any other write ends the packed octet. Writing past the end
/// of the destination is a sizing bug and throws <see cref="ArgumentException"/>. Null strings, byte arrays and
/// tables are written as empty ones.
/// </summary>
public ref partial struct AmqpWriter
{
    private const int MaxShortStringLength = byte.MaxValue;

    private readonly Span<byte> _destination;
    private int _written;

    // Where the octet receiving bits is, and the mask of the next bit in it; mask 0 means no octet is open.
    private int _bitOctetIndex;
    private int _bitMask;

    public AmqpWriter(Span<byte> destination)
    {
        _destination = destination;
        _written = 0;
        _bitOctetIndex = 0;
        _bitMask = 0;
    }

    /// <summary>Octets written so far.</summary>
    public readonly int Written => _written;

    public void WriteOctet(byte value) => Reserve(1)[0] = value;

    public void WriteShort(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);

    public void WriteLong(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);

    public void WriteLongLong(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), value);

    public void WriteBit(bool value)
    {
        if (_bitMask == 0)
        {
            _bitOctetIndex = _written;
            Reserve(1)[0] = 0;
            _bitMask = 1;
        }

        if (value)
        {
            _destination[_bitOctetIndex] |= (byte)_bitMask;
        }

        _bitMask = _bitMask == 0x80 ? 0 : _bitMask << 1;
    }

    /// <summary>A UTF-8 short string; throws <see cref="ArgumentException"/> when it encodes to more than 255 octets.</summary>
    public void WriteShortString(string? value)
    {
        value ??= string.Empty;

        // Names, keys and tags are nearly always ASCII: one vectorised pass instead of counting, then encoding.
        if (value.Length <= MaxShortStringLength && value.Length < _destination.Length - _written
            && Ascii.FromUtf16(value, _destination.Slice(_written + 1, value.Length), out var ascii) == OperationStatus.Done)
        {
            _bitMask = 0;
            _destination[_written] = (byte)ascii;
            _written += 1 + ascii;
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        if (length > MaxShortStringLength)
        {
            throw new ArgumentException($"a short string holds at most 255 octets; this one is {length}", nameof(value));
        }

        var destination = Reserve(1 + length);
        destination[0] = (byte)length;
        Encoding.UTF8.GetBytes(value, destination[1..]);
    }

    /// <summary>A short string given as its bytes; throws <see cref="ArgumentException"/> over 255 octets.</summary>
    public void WriteShortString(ReadOnlySpan<byte> value)
    {
        if (value.Length > MaxShortStringLength)
        {
            throw new ArgumentException($"a short string holds at most 255 octets; this one is {value.Length}", nameof(value));
        }

        var destination = Reserve(1 + value.Length);
        destination[0] = (byte)value.Length;
        value.CopyTo(destination[1..]);
    }

    public void WriteLongString(string? value)
    {
        value ??= string.Empty;
        var length = Encoding.UTF8.GetByteCount(value);
        var destination = Reserve(4 + length);
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)length);
        Encoding.UTF8.GetBytes(value, destination[4..]);
    }

    public void WriteLongString(ReadOnlySpan<byte> value)
    {
        var destination = Reserve(4 + value.Length);
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)value.Length);
        value.CopyTo(destination[4..]);
    }

    public void WriteBytes(ReadOnlySpan<byte> value) => value.CopyTo(Reserve(value.Length));

    private Span<byte> Reserve(int count)
    {
        _bitMask = 0;
        if (count > _destination.Length - _written)
        {
            throw new ArgumentException(
                $"destination too small: {count} more octet(s) needed, {_destination.Length - _written} left (size it with AmqpSizes)");
        }

        var slice = _destination.Slice(_written, count);
        _written += count;
        return slice;
    }
}
