using System.Collections.Concurrent;

namespace OrleansBroker.Silo.Runtime;

/// <summary>
/// The proxies of one grain interface, one per key, so repeated <c>GetGrain</c> calls allocate nothing.
/// A key's proxy is dropped when its activation deactivates with nothing queued, so keys that come and go
/// (server-named queues) do not pile up; proxies handed out before keep working.
/// </summary>
internal sealed class GrainProxyCache<TInterface>
{
    private readonly ConcurrentDictionary<string, TInterface> _proxies = new();
    private readonly Func<string, TInterface> _create;

    public GrainProxyCache(Func<string, TInterface> create)
    {
        _create = create;
    }

    public TInterface Get(string key) => _proxies.GetOrAdd(key, _create);

    public void Evict(string key) => _proxies.TryRemove(key, out _);
}
