using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OrleansBroker.Grains.Nodes;

namespace OrleansBroker.Grains.Gateways;

/// <summary>
/// The lease of this process's gateway on each virtual host it uses, when the gateway has no silo whose membership
/// tells its liveness (a gateway-only node, an Orleans client app's session): taken before the first connection uses
/// the vhost, renewed by one call per vhost every <see cref="RenewPeriod"/> however many connections, channels and
/// consumers it has. For a silo's gateway it does nothing. See <see cref="IGatewayLeaseGrain"/>.
/// </summary>
public sealed class GatewayLease : IAsyncDisposable
{
    public static readonly TimeSpan RenewPeriod = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, Lazy<Task>> _vhosts = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains;
    private readonly ILogger _logger;
    private readonly Timer? _renewals;
    private int _renewing;
    private int _disposed;

    public GatewayLease(IGrainFactory grains, string gatewayId, ILogger logger)
    {
        _grains = grains;
        _logger = logger;
        GatewayId = gatewayId;
        if (GatewayIds.IsLeased(gatewayId))
        {
            _renewals = new Timer(static state => _ = ((GatewayLease)state!).RenewAllAsync(), this, RenewPeriod, RenewPeriod);
        }
    }

    /// <summary>What this gateway's connection ids start with (<see cref="GatewayIds"/>).</summary>
    public string GatewayId { get; }

    /// <summary>
    /// The lease on a virtual host ran out before a renewal reached it (the process stalled, or was cut off): what this
    /// gateway's connections held there has been released, so they must go. Raised on a thread-pool thread; the next
    /// <see cref="EnsureAsync"/> takes a new lease.
    /// </summary>
    public event Action<string>? Lost;

    /// <summary>Hold a lease on this virtual host from now on (at once for a gateway whose silo's membership speaks for it).</summary>
    public Task EnsureAsync(string vhost)
    {
        if (_renewals is null)
        {
            return Task.CompletedTask;
        }

        var begun = _vhosts.GetOrAdd(vhost, v => new Lazy<Task>(() => Grain(v).Begin(GatewayId).AsTask()));
        if (begun.Value.IsFaulted)
        {
            // A failed start (the vhost was unreachable) is tried again by the next connection.
            _vhosts.TryRemove(KeyValuePair.Create(vhost, begun));
        }

        return begun.Value;
    }

    /// <summary>Stop renewing and end the leases: called once the gateway's connections are closed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_renewals is null || Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _renewals.DisposeAsync();
        foreach (var vhost in _vhosts.Keys)
        {
            try
            {
                await Grain(vhost).End(GatewayId);
            }
            catch (Exception e)
            {
                // It runs out on its own.
                _logger.LogDebug(e, "ending the gateway lease on vhost '{VirtualHost}' failed", vhost);
            }
        }
    }

    private IGatewayLeaseGrain Grain(string vhost) => _grains.GetGrain<IGatewayLeaseGrain>(vhost);

    private async Task RenewAllAsync()
    {
        if (Interlocked.Exchange(ref _renewing, 1) != 0)
        {
            return;
        }

        try
        {
            foreach (var (vhost, begun) in _vhosts)
            {
                if (!begun.IsValueCreated || !begun.Value.IsCompletedSuccessfully)
                {
                    continue;
                }

                try
                {
                    if (!await Grain(vhost).Renew(GatewayId))
                    {
                        _logger.LogWarning("the gateway's lease on vhost '{VirtualHost}' had run out: closing its connections there", vhost);
                        _vhosts.TryRemove(KeyValuePair.Create(vhost, begun));
                        Lost?.Invoke(vhost);
                    }
                }
                catch (Exception e)
                {
                    // Unreachable for now (the lease grain is moving after a node's death): the term allows a few misses.
                    _logger.LogDebug(e, "renewing the gateway lease on vhost '{VirtualHost}' failed", vhost);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }
}
