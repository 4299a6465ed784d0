using System.Security.Cryptography;
using System.Text;
using OrleansBroker.Amqp;

namespace OrleansBroker.Management.Json;

/// <summary>
/// The properties key that names one binding in API paths (/api/bindings/vhost/e/source/q/queue/KEY), as
/// rabbit_mgmt_format:pack_binding_props makes it: "~" for an empty routing key without arguments, the routing key
/// percent-encoded otherwise, and with arguments "~" and a hash of them appended. RabbitMQ hashes the arguments with
/// Erlang's phash2; we hash their text with SHA-256: a key is only ever read back from this broker's own listings.
/// </summary>
public static class BindingPropertiesKey
{
    public static string Of(string routingKey, FieldTable arguments)
    {
        var key = routingKey.Length == 0 ? "~" : Uri.EscapeDataString(routingKey);
        if (arguments.Count == 0)
        {
            return key;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(arguments.ToString()));
        return (routingKey.Length == 0 ? "" : key) + "~" + Convert.ToBase64String(hash, 0, 6).Replace('+', '-').Replace('/', '_');
    }
}
