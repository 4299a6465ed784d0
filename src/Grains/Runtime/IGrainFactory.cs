namespace OrleansBroker.Grains.Runtime;

/// <summary>Hands out references to grains; the activation is created on first call.</summary>
public interface IGrainFactory
{
    /// <summary>A reference to the grain of interface <typeparamref name="TGrain"/> with this key.
    /// Cheap and cacheable; it does not activate the grain by itself.</summary>
    TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey;
}
