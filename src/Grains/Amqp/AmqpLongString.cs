using System.Text;

namespace OrleansBroker.Amqp;

/// <summary>
/// A long string ('S') whose bytes are not valid UTF-8; kept as bytes so it re-encodes identically.
/// Valid UTF-8 long strings decode to <see cref="string"/>.
/// </summary>
public sealed class AmqpLongString(byte[] bytes) : IEquatable<AmqpLongString>
{
    public byte[] Bytes { get; } = bytes;

    public bool Equals(AmqpLongString? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes);

    public override bool Equals(object? obj) => Equals(obj as AmqpLongString);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    public override string ToString() => Encoding.UTF8.GetString(Bytes);
}
