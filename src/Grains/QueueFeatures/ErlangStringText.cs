using System.Text;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// An Erlang string (a list of bytes, as RabbitMQ builds error details with <c>~s</c> from binaries) printed by
/// <c>~p</c>: quoted with Erlang's escapes when every byte is printable Latin-1, else as a list of integers.
/// RabbitMQ's texts quote user input this way: "invalid expiration '10é': {leftover_string,\"é\"}" (observed).
/// </summary>
internal static class ErlangStringText
{
    public static string Format(string text)
    {
        if (text.Length == 0)
        {
            return "[]";
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            if (!IsPrintable(b))
            {
                return "[" + string.Join(",", bytes) + "]";
            }
        }

        // The bytes are printable Latin-1; the reply text is sent as UTF-8 bytes again, so the original text stands for them.
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\v' => "\\v",
                '\b' => "\\b",
                '\f' => "\\f",
                '\e' => "\\e",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    private static bool IsPrintable(byte b) => b is (>= 32 and <= 126) or >= 160 or (>= 8 and <= 13) or 27;
}
