using System.Text;

namespace OrleansBroker.Gateway.Protocol;

/// <summary>
/// Erlang term syntax for the parts of RabbitMQ's reply texts that print binaries ("type 1, all octets =
/// &lt;&lt;1,0,10&gt;&gt;: ..."), so our texts read like RabbitMQ's.
/// </summary>
public static class ErlangTerms
{
    /// <summary>
    /// A binary as io_lib's ~p prints it: &lt;&lt;"text"&gt;&gt; when every octet is printable ASCII, else the
    /// octets in decimal. (~p also prints printable Latin-1 above 127 as text; those are shown as numbers here.)
    /// </summary>
    public static string PrettyBinary(ReadOnlySpan<byte> bytes) => IsPrintable(bytes) ? QuotedBinary(bytes) : NumericBinary(bytes);

    /// <summary>A binary as io_lib's ~w prints it: always the octets in decimal.</summary>
    public static string NumericBinary(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(4 + (bytes.Length * 4));
        text.Append("<<");
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(bytes[i]);
        }

        return text.Append(">>").ToString();
    }

    private static bool IsPrintable(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return false;
        }

        foreach (var b in bytes)
        {
            if (b is not ((>= 0x20 and < 0x7F) or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0x0B or 0x08 or 0x0C or 0x1B))
            {
                return false;
            }
        }

        return true;
    }

    private static string QuotedBinary(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(6 + bytes.Length);
        text.Append("<<\"");
        foreach (var b in bytes)
        {
            text.Append(b switch
            {
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                (byte)'\t' => "\\t",
                0x0B => "\\v",
                0x08 => "\\b",
                0x0C => "\\f",
                0x1B => "\\e",
                _ => ((char)b).ToString(),
            });
        }

        return text.Append("\">>").ToString();
    }
}
