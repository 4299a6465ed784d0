using System.Collections.Concurrent;
using System.Diagnostics;
using RabbitMQ.Client;

namespace OrleansBroker.Benchmarks.Scenarios;

/// <summary>
/// Opens N idle connections with one channel each (K at a time): time to open, broker RSS growth per connection
/// (VmRSS 2 s after the last opened, minus VmRSS before), then closes them.
/// </summary>
public sealed class ConnectionsScenario : Scenario
{
    public override string Name => "connections";

    public override string Description =>
        "N idle connections with one channel each, opened K at a time; broker VmRSS growth per connection; then closed";

    public override async Task RunAsync(Target target, BenchOptions options, RunResult result, CancellationToken ct)
    {
        var factory = Amqp.Factory(target, "idle");
        var connections = new ConcurrentBag<IConnection>();
        var failures = 0;
        string? firstError = null;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.ConnectionConcurrency, CancellationToken = ct };

        async ValueTask OpenAsync(int i, CancellationToken token)
        {
            try
            {
                var connection = await factory.CreateConnectionAsync(token);
                connections.Add(connection);
                await connection.CreateChannelAsync(cancellationToken: token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                if (Interlocked.Increment(ref failures) == 1)
                {
                    firstError = $"{e.GetType().Name}: {e.Message}";
                }
            }
        }

        async Task CloseAllAsync()
        {
            await Parallel.ForEachAsync(connections, new ParallelOptions { MaxDegreeOfParallelism = options.ConnectionConcurrency },
                async (c, _) => await Amqp.CloseQuietlyAsync(c));
            connections.Clear();
        }

        try
        {
            // Warm-up: a few connections opened and closed.
            await Parallel.ForEachAsync(Enumerable.Range(0, Math.Min(50, options.Connections)), parallel, OpenAsync);
            await CloseAllAsync();
            failures = 0;
            firstError = null;

            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var rssBefore = target.Pid is { } pid ? ProcStats.RssBytes(pid) : double.NaN;
            var start = CpuSnapshot.Take(target);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.RunTimeout);
            try
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, options.Connections),
                    new ParallelOptions { MaxDegreeOfParallelism = options.ConnectionConcurrency, CancellationToken = timeout.Token }, OpenAsync);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                result.Fail($"timed out after {options.RunTimeout.TotalSeconds:0} s");
            }

            var end = CpuSnapshot.Take(target);
            var opened = connections.Count(c => c.IsOpen);
            var seconds = Seconds(start.Timestamp, end.Timestamp);
            result.Set("open_s", seconds);
            result.Set("connections_per_s", opened / seconds);
            start.Report(end, opened, result, "conn");
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            if (target.Pid is { } brokerPid && opened > 0)
            {
                // A garbage-collected broker reuses heap freed by the previous run, so the delta is cleanest in the
                // first run on a fresh broker; the absolute RSS with N connections open is the robust figure.
                var rssOpen = ProcStats.RssBytes(brokerPid);
                result.Set("broker_rss_kib_per_conn", (rssOpen - rssBefore) / 1024 / opened);
                result.Set("broker_rss_mib_with_conns", rssOpen / (1024 * 1024));
            }

            if (opened != options.Connections)
            {
                result.Fail($"opened {opened} of {options.Connections}; {failures} failed{(firstError is null ? "" : $", first: {firstError}")}");
            }

            var closeStart = Stopwatch.GetTimestamp();
            await CloseAllAsync();
            result.Set("close_s", Seconds(closeStart, Stopwatch.GetTimestamp()));
        }
        finally
        {
            await CloseAllAsync();
        }
    }
}
