namespace OrleansBroker.Grains.Model;

/// <summary>
/// Grain keys for entities of a virtual host: the vhost escaped as in RabbitMQ's HTTP API
/// ("%2F" for "/"), a slash, then the name. Escaping keeps the split unambiguous.
/// </summary>
public static class GrainKeys
{
    public static string Queue(string vhost, string name) => Uri.EscapeDataString(vhost) + "/" + name;

    public static string Exchange(string vhost, string name) => Uri.EscapeDataString(vhost) + "/" + name;

    /// <summary>The virtual host and the name a queue's (or exchange's) key was made of.</summary>
    public static (string VirtualHost, string Name) SplitQueue(string key)
    {
        var slash = key.IndexOf('/');
        return (Uri.UnescapeDataString(key[..slash]), key[(slash + 1)..]);
    }
}
