namespace OrleansBroker.Grains.Nodes;

/// <summary>
/// A call to a queue that failed because a node was unreachable is retried while the queue's home node is still up:
/// when a node dies, the part of Orleans' grain directory it held is unreachable too until membership declares it
/// dead, so calls to grains on live nodes can fail for a few seconds. Once the home node itself is down, the failure
/// is RabbitMQ's 404 for a queue whose node is down.
/// </summary>
public static class UnreachableRetry
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(500);

    /// <summary>Attempts before the failure is passed on (about the time membership needs to declare a node dead).</summary>
    private const int Attempts = 24;

    public static async ValueTask<T> CallAsync<T>(Func<ValueTask<T>> call, Func<ValueTask<bool>> homeIsDown, Func<Exception> homeDown)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (Unreachable.Is(e))
            {
                if (await homeIsDown())
                {
                    throw homeDown();
                }

                if (attempt == Attempts)
                {
                    throw;
                }
            }

            await Task.Delay(Pause);
        }
    }
}
