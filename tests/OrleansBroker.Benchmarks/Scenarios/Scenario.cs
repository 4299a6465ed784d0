using System.Diagnostics;

namespace OrleansBroker.Benchmarks.Scenarios;

/// <summary>One benchmark scenario. Each run sets up its own queues and connections, warms up, measures, and tears down.</summary>
public abstract class Scenario
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    public abstract Task RunAsync(Target target, BenchOptions options, RunResult result, CancellationToken ct);

    public static IReadOnlyList<Scenario> All(BenchOptions options)
    {
        // Connections and backlog first: their broker-RSS figures are deltas, cleanest on a freshly started broker
        // (a garbage-collected heap that already grew for earlier scenarios hides new allocations).
        var list = new List<Scenario>
        {
            new ConnectionsScenario(),
            new BacklogScenario(),
            new ThroughputScenario("transient-16b-ack-each", 16, persistent: false, AckMode.Each),
            new ThroughputScenario("transient-16b-multi-ack", 16, persistent: false, AckMode.Multiple),
            new ThroughputScenario("transient-1k-ack-each", 1024, persistent: false, AckMode.Each),
            new ThroughputScenario("transient-1k-multi-ack", 1024, persistent: false, AckMode.Multiple),
            new ThroughputScenario("persistent-confirms", options.PersistentBodySize, persistent: true, AckMode.Each),
            new FanoutScenario(),
        };
        list.AddRange(options.LatencyRates.Select(rate => new LatencyScenario(rate)));
        list.Add(new RpcScenario());
        list.Add(new ClientPublishScenario());
        list.Add(new ClientConsumeScenario());
        return list;
    }

    /// <summary>Awaits <paramref name="task"/> until <paramref name="deadline"/>; false when the deadline passed first.</summary>
    protected static async Task<(bool Done, long Timestamp)> WaitUntilAsync(Task<long> task, long deadline, CancellationToken ct)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
        if (remaining < TimeSpan.Zero)
        {
            remaining = TimeSpan.Zero;
        }

        try
        {
            return (true, await task.WaitAsync(remaining, ct));
        }
        catch (TimeoutException)
        {
            return (false, Stopwatch.GetTimestamp());
        }
    }

    protected static long DeadlineAfter(TimeSpan span) => Stopwatch.GetTimestamp() + (long)(span.TotalSeconds * Stopwatch.Frequency);

    protected static double Seconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalSeconds;

    /// <summary>Percentile (0..1) of an ascending array, nearest-rank.</summary>
    protected static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
