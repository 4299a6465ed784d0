using Microsoft.Extensions.Logging;
using Orleans;
using OrleansBroker.Grains.Routing;
using OrleansBroker.Grains.VirtualHosts;

namespace OrleansBroker.Gateway.Routing;

/// <summary>
/// One virtual host's routing on this node and its subscription: the observer the virtual host grain sends changes
/// to. Changes that arrive while a snapshot is being fetched, or after a gap, wait and are applied on top of the
/// snapshot in order. Orleans keeps only a weak reference to an observer: <see cref="RoutingReplicas"/> holds this.
/// </summary>
internal sealed class VirtualHostRoutes : IRoutingObserver
{
    private readonly string _vhost;
    private readonly IGrainFactory _grains;
    private readonly ILogger _logger;
    private readonly RoutingReplica _replica;
    private readonly List<RoutingUpdate> _pending = new();
    private readonly object _lock = new();
    private IRoutingObserver? _reference;
    private Task? _subscribing;

    public VirtualHostRoutes(string vhost, IGrainFactory grains, ILogger logger, Action<string, string> queueWentDown)
    {
        _vhost = vhost;
        _grains = grains;
        _logger = logger;
        _replica = new RoutingReplica(new VirtualHostRoutingTable(vhost));
        _replica.QueueAvailabilityChanged += (queue, down) =>
        {
            if (down)
            {
                queueWentDown(vhost, queue);
            }
        };
    }

    public VirtualHostRoutingTable Table => _replica.Table;

    public Task Apply(RoutingUpdate update)
    {
        lock (_lock)
        {
            if (_subscribing is null && _replica.HasSnapshot && _replica.TryApply(update))
            {
                return Task.CompletedTask;
            }

            _pending.Add(update);
            if (_subscribing is null)
            {
                _logger.LogInformation("routing of virtual host '{VirtualHost}' missed a change (at {Version}, got {Update}); resubscribing", _vhost, _replica.Version, update.Version);
                _subscribing = SubscribeAsync();
            }
        }

        return Task.CompletedTask;
    }

    public Task EnsureSubscribedAsync()
    {
        lock (_lock)
        {
            if (_replica.HasSnapshot && _subscribing is null)
            {
                return Task.CompletedTask;
            }

            return _subscribing ??= SubscribeAsync();
        }
    }

    /// <summary>Resubscribe when the grain's version is not this copy's (a change was missed, or the grain moved).</summary>
    public async Task CheckAsync()
    {
        try
        {
            lock (_lock)
            {
                if (!_replica.HasSnapshot || _subscribing is not null)
                {
                    return;
                }
            }

            // A change on its way when the version was read makes a needless resubscribe, never a wrong table.
            var current = await VirtualHost.GetRoutingVersion();
            lock (_lock)
            {
                if (current.Epoch != _replica.Version.Epoch || current.Version > _replica.Version.Version)
                {
                    _subscribing ??= SubscribeAsync();
                }
            }
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "checking the routing of virtual host '{VirtualHost}' failed", _vhost);
        }
    }

    private IVirtualHostGrain VirtualHost => _grains.GetGrain<IVirtualHostGrain>(_vhost);

    private async Task SubscribeAsync()
    {
        await Task.Yield(); // out of the caller's lock
        try
        {
            _reference ??= _grains.CreateObjectReference<IRoutingObserver>(this);
            var snapshot = await VirtualHost.SubscribeRouting(_reference);
            lock (_lock)
            {
                _replica.Load(snapshot);
                _pending.Sort(static (a, b) => a.Version.CompareTo(b.Version));
                foreach (var update in _pending)
                {
                    _replica.TryApply(update);
                }

                _pending.Clear();
                _subscribing = null;
            }
        }
        catch
        {
            lock (_lock)
            {
                _subscribing = null;
            }

            throw;
        }
    }
}
