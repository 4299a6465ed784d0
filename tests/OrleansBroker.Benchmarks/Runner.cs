using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OrleansBroker.Benchmarks.Scenarios;

namespace OrleansBroker.Benchmarks;

/// <summary>Runs the selected scenarios against every target, alternating targets run by run.</summary>
public static class Runner
{
    public static async Task<int> RunAsync(BenchOptions options, CancellationToken ct)
    {
        var all = Scenario.All(options);
        var selected = options.Scenarios.Count == 0
            ? all
            : options.Scenarios.Select(name => all.FirstOrDefault(s => s.Name == name)
                ?? throw new ArgumentException($"unknown scenario {name}; known: {string.Join(", ", all.Select(s => s.Name))}")).ToList();

        var table = new List<(string Scenario, string Target, string Metric, Summary Summary, bool Complete)>();
        var failures = 0;
        foreach (var scenario in selected)
        {
            var results = options.Targets.ToDictionary(t => t.Label, _ => new List<RunResult>(), StringComparer.Ordinal);
            for (var run = 0; run < options.Runs; run++)
            {
                var order = run % 2 == 0 ? options.Targets : Enumerable.Reverse(options.Targets).ToList();
                foreach (var target in order)
                {
                    var result = new RunResult();
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        await scenario.RunAsync(target, options, result, ct);
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        result.Fail($"{e.GetType().Name}: {e.Message}");
                    }

                    results[target.Label].Add(result);
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[{scenario.Name}] run {run + 1}/{options.Runs} {target.Label}: {Headline(result)} ({Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s){(result.Complete ? "" : " INCOMPLETE: " + string.Join("; ", result.Notes))}"));
                    await Task.Delay(500, ct);
                }
            }

            foreach (var target in options.Targets)
            {
                var runs = results[target.Label];
                var line = JsonLine(scenario, target, options, runs);
                Console.WriteLine(line);
                if (options.JsonOut is { } path)
                {
                    await File.AppendAllTextAsync(path, line + "\n", ct);
                }

                var complete = runs.All(r => r.Complete);
                failures += complete ? 0 : 1;
                foreach (var key in runs.SelectMany(r => r.Metrics.Keys).Distinct().OrderBy(k => MetricCatalog.Get(k).Order))
                {
                    table.Add((scenario.Name, target.Label, key, Summary.Of(runs.Where(r => r.Metrics.ContainsKey(key)).Select(r => r.Metrics[key])), complete));
                }
            }
        }

        PrintTable(table);
        return failures == 0 ? 0 : 1;
    }

    private static string Headline(RunResult result)
    {
        var keys = new[] { "consumed_msg_s", "deliveries_s", "confirmed_msg_s", "published_msg_s", "calls_s", "p99_ms", "open_s", "broker_rss_kib_per_conn", "drain_msg_s", "broker_cpu_us_per_msg" };
        return string.Join(", ", keys.Where(result.Metrics.ContainsKey).Select(k =>
        {
            var info = MetricCatalog.Get(k);
            return $"{info.Display} {Format.Number(result.Metrics[k])} {info.Unit}";
        }));
    }

    private static string JsonLine(Scenario scenario, Target target, BenchOptions options, List<RunResult> runs)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("scenario", scenario.Name);
            w.WriteString("target", target.Label);
            w.WriteString("uri", $"{target.Uri.Scheme}://{target.Uri.Host}:{target.Uri.Port}{target.Uri.AbsolutePath}");
            w.WriteString("description", scenario.Description);
            w.WriteString("time", DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture));
            w.WriteNumber("runs", runs.Count);
            w.WriteBoolean("complete", runs.All(r => r.Complete));
            w.WriteStartArray("notes");
            foreach (var note in runs.SelectMany(r => r.Notes).Distinct())
            {
                w.WriteStringValue(note);
            }

            w.WriteEndArray();
            w.WriteStartObject("params");
            w.WriteNumber("messages", options.Messages);
            w.WriteNumber("warmup", options.Warmup);
            w.WriteNumber("persistent_messages", options.PersistentMessages);
            w.WriteNumber("persistent_body_size", options.PersistentBodySize);
            w.WriteNumber("confirm_window", options.ConfirmWindow);
            w.WriteNumber("prefetch", options.Prefetch);
            w.WriteNumber("fanout_messages", options.FanoutMessages);
            w.WriteNumber("fanout_queues", options.FanoutQueues);
            w.WriteNumber("latency_seconds", options.LatencySeconds);
            w.WriteNumber("rpc_calls", options.RpcCalls);
            w.WriteNumber("rpc_seconds", options.RpcSeconds);
            w.WriteNumber("connections", options.Connections);
            w.WriteNumber("backlog", options.Backlog);
            w.WriteNumber("backlog_body_size", options.BacklogBodySize);
            w.WriteEndObject();
            w.WriteStartObject("meta");
            foreach (var (key, value) in options.Meta)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            w.WriteStartObject("metrics");
            foreach (var key in runs.SelectMany(r => r.Metrics.Keys).Distinct().OrderBy(k => MetricCatalog.Get(k).Order))
            {
                var info = MetricCatalog.Get(key);
                var values = runs.Where(r => r.Metrics.ContainsKey(key)).Select(r => r.Metrics[key]).ToArray();
                var summary = Summary.Of(values);
                w.WriteStartObject(key);
                w.WriteNumber("median", summary.Median);
                w.WriteNumber("min", summary.Min);
                w.WriteNumber("max", summary.Max);
                w.WriteString("unit", info.Unit);
                w.WriteBoolean("higher_is_better", info.HigherIsBetter);
                w.WriteStartArray("runs");
                foreach (var value in values)
                {
                    w.WriteNumberValue(value);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void PrintTable(List<(string Scenario, string Target, string Metric, Summary Summary, bool Complete)> rows)
    {
        var lines = rows.Select(r =>
        {
            var info = MetricCatalog.Get(r.Metric);
            return new[]
            {
                r.Scenario + (r.Complete ? "" : " (!)"), r.Target, $"{info.Display} ({info.Unit})",
                Format.Number(r.Summary.Median), Format.Number(r.Summary.Min), Format.Number(r.Summary.Max),
            };
        }).ToList();
        lines.Insert(0, ["scenario", "target", "metric", "median", "min", "max"]);
        var widths = Enumerable.Range(0, 6).Select(c => lines.Max(l => l[c].Length)).ToArray();
        Console.WriteLine();
        foreach (var (line, index) in lines.Select((l, i) => (l, i)))
        {
            Console.WriteLine(string.Join("  ", line.Select((cell, c) => c >= 3 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))));
            if (index == 0)
            {
                Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }

        if (rows.Any(r => !r.Complete))
        {
            Console.WriteLine("(!) at least one run was incomplete (time limit, lost or extra messages, or an error): see the JSON notes");
        }
    }
}
