using System.Text;
using OrleansBroker.Amqp;

namespace OrleansBroker.Gateway.Authentication;

/// <summary>Reads user name and password from the start-ok response of the PLAIN and AMQPLAIN mechanisms.</summary>
internal static class SaslResponse
{
    public static readonly string[] Mechanisms = ["PLAIN", "AMQPLAIN"];

    /// <summary>False when the response is malformed for the mechanism.</summary>
    public static bool TryRead(string mechanism, byte[] response, out string userName, out string password)
    {
        userName = password = string.Empty;
        return mechanism switch
        {
            "PLAIN" => TryReadPlain(response, out userName, out password),
            "AMQPLAIN" => TryReadAmqplain(response, out userName, out password),
            _ => false,
        };
    }

    /// <summary>RFC 4616: [authzid] NUL authcid NUL passwd.</summary>
    private static bool TryReadPlain(byte[] response, out string userName, out string password)
    {
        userName = password = string.Empty;
        var span = response.AsSpan();
        var first = span.IndexOf((byte)0);
        if (first < 0)
        {
            return false;
        }

        var rest = span[(first + 1)..];
        var second = rest.IndexOf((byte)0);
        if (second < 0)
        {
            return false;
        }

        userName = Encoding.UTF8.GetString(rest[..second]);
        password = Encoding.UTF8.GetString(rest[(second + 1)..]);
        return true;
    }

    /// <summary>AMQPLAIN: the entries of a field table (LOGIN, PASSWORD) without the table's length prefix.</summary>
    private static bool TryReadAmqplain(byte[] response, out string userName, out string password)
    {
        userName = password = string.Empty;
        var framed = new byte[response.Length + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(framed, (uint)response.Length);
        response.CopyTo(framed, 4);
        try
        {
            var reader = new AmqpReader(framed);
            var table = reader.ReadTable();
            userName = table.GetString("LOGIN") ?? string.Empty;
            password = table.GetString("PASSWORD") ?? string.Empty;
            return table.ContainsKey("LOGIN") && table.ContainsKey("PASSWORD");
        }
        catch (AmqpFormatException)
        {
            return false;
        }
    }
}
