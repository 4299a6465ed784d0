using Microsoft.Extensions.Logging;
using Orleans;

namespace OrleansBroker.Gateway.Node;

/// <summary>
/// A gateway node started before (or while) the cluster's silos start keeps trying to reach one for a minute, then
/// gives up with the error: it is useless without them.
/// </summary>
internal sealed class ClusterConnectionRetry(ILogger<ClusterConnectionRetry> logger) : IClientConnectionRetryFilter
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);
    private const int Attempts = 60;

    private int _attempts;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (++_attempts >= Attempts)
        {
            return false;
        }

        if (_attempts == 1)
        {
            logger.LogWarning("no silo of the cluster answers yet ({Error}); trying again for a minute", exception.Message);
        }

        await Task.Delay(Pause, cancellationToken);
        return true;
    }
}
