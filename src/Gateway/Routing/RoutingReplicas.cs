using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Gateway.Routing;

/// <summary>
/// This node's copies of the virtual hosts' routing, which publishes read without a grain call. A copy subscribes to
/// its virtual host grain when the first connection opens the vhost, then receives every change before the change's
/// -ok goes out. Every few seconds each copy compares its version with the grain's and resubscribes when it missed
/// something (it was dropped after a timeout, or the grain was activated again elsewhere after a node failed).
/// </summary>
public sealed class RoutingReplicas : IDisposable
{
    private static readonly TimeSpan CheckPeriod = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, VirtualHostRoutes> _vhosts = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains;
    private readonly ILogger _logger;
    private readonly Timer _checks;

    public RoutingReplicas(IGrainFactory grains, ILoggerFactory loggerFactory)
    {
        _grains = grains;
        _logger = loggerFactory.CreateLogger("OrleansBroker.Gateway.Routing");
        _checks = new Timer(static state => ((RoutingReplicas)state!).CheckAll(), this, CheckPeriod, CheckPeriod);
    }

    /// <summary>The routing table of a virtual host; empty until <see cref="EnsureSubscribedAsync"/> completed once.</summary>
    public VirtualHostRoutingTable Table(string vhost) => Routes(vhost).Table;

    /// <summary>Subscribe this node's copy of a virtual host's routing, if it has not been yet.</summary>
    public Task EnsureSubscribedAsync(string vhost) => Routes(vhost).EnsureSubscribedAsync();

    /// <summary>The vhost was deleted: stop following it (a check would activate its virtual host grain again).</summary>
    public void Forget(string vhost) => _vhosts.TryRemove(vhost, out _);

    public void Dispose() => _checks.Dispose();

    /// <summary>
    /// A queue's home node went down (vhost, queue): its consumers on this node are cancelled, as RabbitMQ cancels the
    /// consumers of a queue on a node that died. Raised on a thread-pool thread.
    /// </summary>
    public event Action<string, string>? QueueWentDown;

    private VirtualHostRoutes Routes(string vhost) =>
        _vhosts.GetOrAdd(vhost, static (v, self) => new VirtualHostRoutes(v, self._grains, self._logger, self.RaiseQueueWentDown), this);

    private void RaiseQueueWentDown(string vhost, string queue) =>
        ThreadPool.QueueUserWorkItem(static state => state.Self.QueueWentDown?.Invoke(state.Vhost, state.Queue), (Self: this, Vhost: vhost, Queue: queue), preferLocal: false);

    private void CheckAll()
    {
        foreach (var routes in _vhosts.Values)
        {
            _ = routes.CheckAsync();
        }
    }
}
