using System.Text;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// Orders strings by their UTF-8 bytes, as Erlang orders binaries: the order RabbitMQ sorts field-table keys
/// (rabbit_misc:sort_field_table) and JSON-decoded policy definitions in. Differs from ordinal UTF-16 order only
/// between supplementary characters and those from U+E000 up.
/// </summary>
public sealed class Utf8ByteOrder : IComparer<string>
{
    public static readonly Utf8ByteOrder Instance = new();

    private Utf8ByteOrder()
    {
    }

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        if (Ascii.IsValid(x) && Ascii.IsValid(y))
        {
            return string.CompareOrdinal(x, y);
        }

        return Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));
    }
}
