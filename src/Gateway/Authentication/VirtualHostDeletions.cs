using Microsoft.Extensions.Logging;
using Orleans;
using OrleansBroker.Gateway.Connections;
using OrleansBroker.Gateway.Routing;
using OrleansBroker.Grains.Access;

namespace OrleansBroker.Gateway.Authentication;

/// <summary>
/// This gateway's ear on the user store: when a vhost is deleted, its connections here are closed (320) and this node's
/// routing replica of it goes. It subscribes
/// at start and again every third of <see cref="AccessControlKeys.ObserverLifetime"/>, so a store that moved to another
/// node (or forgot it) hears from it again.
/// </summary>
public sealed class VirtualHostDeletions : IAccessObserver, IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly ConnectionRegistry _connections;
    private readonly RoutingReplicas _routing;
    private readonly ILogger _logger;
    private readonly IAccessObserver _reference;
    private readonly Timer _renewal;

    public VirtualHostDeletions(IGrainFactory grains, ConnectionRegistry connections, RoutingReplicas routing, ILoggerFactory loggerFactory)
    {
        _grains = grains;
        _connections = connections;
        _routing = routing;
        _logger = loggerFactory.CreateLogger("OrleansBroker.Gateway");
        _reference = grains.CreateObjectReference<IAccessObserver>(this);
        _renewal = new Timer(static state => _ = ((VirtualHostDeletions)state!).SubscribeAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Subscribe now (the broker waits for it before it listens) and keep subscribing.</summary>
    public async Task StartAsync()
    {
        await SubscribeAsync();
        var period = AccessControlKeys.ObserverLifetime / 3;
        _renewal.Change(period, period);
    }

    public Task VirtualHostDeleted(string vhost)
    {
        _logger.LogInformation("virtual host '{VirtualHost}' deleted: closing its connections", vhost);
        _connections.CloseConnectionsOf(vhost);
        _routing.Forget(vhost);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _renewal.Dispose();
        _grains.DeleteObjectReference<IAccessObserver>(_reference);
    }

    private async Task SubscribeAsync()
    {
        try
        {
            await AccessControlKeys.Get(_grains).Subscribe(_reference);
        }
        catch (Exception e)
        {
            _logger.LogWarning("could not subscribe to virtual host deletions (retrying): {Reason}", e.Message);
        }
    }
}
