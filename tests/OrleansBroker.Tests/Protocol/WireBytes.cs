using System.Buffers.Binary;
using System.Text;

namespace OrleansBroker.Tests.Protocol;

/// <summary>
/// Hand-assembles AMQP encodings for test fixtures, independently of the codec under test: each helper is the
/// spec's layout spelled out.
/// </summary>
internal static class WireBytes
{
    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(part => part).ToArray();

    public static byte[] Short(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }

    public static byte[] Long(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    public static byte[] LongLong(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    public static byte[] ShortString(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        return [(byte)utf8.Length, .. utf8];
    }

    /// <summary>A 32-bit length prefix, then the parts: long strings, tables and arrays alike.</summary>
    public static byte[] LengthPrefixed(params byte[][] parts)
    {
        var body = Concat(parts);
        return Concat(Long((uint)body.Length), body);
    }

    public static byte[] LongString(string value) => LengthPrefixed(Encoding.UTF8.GetBytes(value));

    /// <summary>A table entry: short-string key, type tag, encoded value.</summary>
    public static byte[] Entry(string key, char tag, params byte[] value) => Concat(ShortString(key), [(byte)tag], value);

    /// <summary>An array item: type tag, encoded value.</summary>
    public static byte[] Item(char tag, params byte[] value) => Concat([(byte)tag], value);
}
