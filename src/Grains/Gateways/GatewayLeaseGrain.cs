using Microsoft.Extensions.Logging;
using OrleansBroker.Grains.Storage;
using OrleansBroker.Grains.VirtualHosts;

namespace OrleansBroker.Grains.Gateways;

/// <inheritdoc cref="IGatewayLeaseGrain"/>
[GrainType("gatewaylease")]
public sealed class GatewayLeaseGrain(
    [PersistentState("gatewaylease", GrainStorageNames.Broker)] IPersistentState<GatewayLeaseState> state,
    ILogger<GatewayLeaseGrain> logger) : Grain, IGatewayLeaseGrain
{
    /// <summary>
    /// How long a lease lasts without renewal: four renewal periods, so a gateway that misses a few (a pause, a slow
    /// call) keeps it; about the ten seconds membership takes to declare a silo dead.
    /// </summary>
    public static readonly TimeSpan Term = GatewayLease.RenewPeriod * 4;

    private static readonly TimeSpan CheckPeriod = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, long> _deadlines = new(StringComparer.Ordinal);

    private string VirtualHost => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var gateway in state.State.Gateways)
        {
            _deadlines[gateway] = Deadline();
        }

        this.RegisterGrainTimer(ReleaseExpiredAsync, new GrainTimerCreationOptions(CheckPeriod, CheckPeriod));
        return Task.CompletedTask;
    }

    public async ValueTask Begin(string gatewayId)
    {
        _deadlines[gatewayId] = Deadline();
        if (!state.State.Gateways.Contains(gatewayId))
        {
            state.State.Gateways.Add(gatewayId);
            await state.WriteStateAsync();
        }
    }

    public ValueTask<bool> Renew(string gatewayId)
    {
        if (!_deadlines.ContainsKey(gatewayId))
        {
            return ValueTask.FromResult(false);
        }

        _deadlines[gatewayId] = Deadline();
        return ValueTask.FromResult(true);
    }

    public async ValueTask End(string gatewayId)
    {
        _deadlines.Remove(gatewayId);
        if (state.State.Gateways.Remove(gatewayId))
        {
            await state.WriteStateAsync();
        }
    }

    private static long Deadline() => Environment.TickCount64 + (long)Term.TotalMilliseconds;

    private async Task ReleaseExpiredAsync(CancellationToken cancellationToken)
    {
        var now = Environment.TickCount64;
        var expired = _deadlines.Where(d => d.Value < now).Select(d => d.Key).ToList();
        foreach (var gateway in expired)
        {
            logger.LogInformation("gateway {Gateway} did not renew its lease on vhost '{VirtualHost}': releasing what its connections held", gateway, VirtualHost);

            // Released first, forgotten after: if the release fails (the virtual host is moving), the next check tries again.
            await GrainFactory.GetGrain<IVirtualHostGrain>(VirtualHost).GatewayGone(gateway);
            _deadlines.Remove(gateway);
            state.State.Gateways.Remove(gateway);
            await state.WriteStateAsync();
        }
    }
}
