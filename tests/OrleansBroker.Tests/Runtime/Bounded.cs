namespace OrleansBroker.Tests.Runtime;

/// <summary>Generous upper bounds so a broken runtime fails a test instead of hanging the run.</summary>
internal static class Bounded
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static Task Wait(Task task) => task.WaitAsync(Timeout);

    public static Task<T> Wait<T>(Task<T> task) => task.WaitAsync(Timeout);

    public static Task Wait(ValueTask task) => task.AsTask().WaitAsync(Timeout);

    public static Task<T> Wait<T>(ValueTask<T> task) => task.AsTask().WaitAsync(Timeout);

    /// <summary>Poll until <paramref name="condition"/> holds; throw <see cref="TimeoutException"/> after <see cref="Timeout"/>.</summary>
    public static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition did not hold in time.");
            }

            await Task.Delay(5);
        }
    }
}
