namespace OrleansBroker.Gateway.Authentication;

/// <summary>
/// RabbitMQ's loopback_users: the users who may log in only from a loopback address ("guest" by default, as RabbitMQ
/// ships), written as <see cref="GatewayOptions.LoopbackUsers"/> holds them: comma-separated names, or "none".
/// </summary>
internal static class LoopbackUsers
{
    public const string None = "none";

    public static bool Contains(string loopbackUsers, string user)
    {
        if (loopbackUsers.Length == 0 || string.Equals(loopbackUsers, None, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var range in loopbackUsers.AsSpan().Split(','))
        {
            if (loopbackUsers.AsSpan()[range].Trim().SequenceEqual(user))
            {
                return true;
            }
        }

        return false;
    }
}
