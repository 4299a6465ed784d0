namespace OrleansBroker.Grains.Access;

/// <summary>Where the user store is and how long it remembers a gateway that subscribed.</summary>
public static class AccessControlKeys
{
    /// <summary>The key of the one <see cref="IAccessControlGrain"/>.</summary>
    public const string Store = "broker";

    /// <summary>A gateway's subscription lapses after this; gateways subscribe again at a third of it.</summary>
    public static readonly TimeSpan ObserverLifetime = TimeSpan.FromSeconds(60);

    public static IAccessControlGrain Get(IGrainFactory grains) => grains.GetGrain<IAccessControlGrain>(Store);
}
