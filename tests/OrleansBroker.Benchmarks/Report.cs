using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansBroker.Benchmarks;

/// <summary>
/// Turns the JSON lines of one or more runs into the comparison: latest.json, latest.md and gnuplot data files
/// (throughput.dat, latency.dat, cpu.dat) for tests/bench/chart.gp.
/// </summary>
public static class Report
{
    private static readonly (string Scenario, string Metric, string Label)[] ThroughputBars =
    [
        ("transient-16b-ack-each", "consumed_msg_s", "transient 16 B ack each"),
        ("transient-16b-multi-ack", "consumed_msg_s", "transient 16 B multi-ack"),
        ("transient-1k-ack-each", "consumed_msg_s", "transient 1 KiB ack each"),
        ("transient-1k-multi-ack", "consumed_msg_s", "transient 1 KiB multi-ack"),
        ("persistent-confirms", "confirmed_msg_s", "persistent confirmed"),
        ("persistent-confirms", "consumed_msg_s", "persistent consumed"),
        ("fanout", "deliveries_s", "fanout deliveries"),
        ("backlog", "confirmed_msg_s", "backlog publish"),
        ("backlog", "drain_msg_s", "backlog drain"),
        ("rpc", "calls_s", "rpc calls"),
    ];

    private static readonly (string Scenario, string Metric, string Label)[] LatencyBars =
    [
        ("latency-1000", "p50_ms", "1k/s p50"),
        ("latency-1000", "p99_ms", "1k/s p99"),
        ("latency-1000", "p999_ms", "1k/s p99.9"),
        ("latency-10000", "p50_ms", "10k/s p50"),
        ("latency-10000", "p99_ms", "10k/s p99"),
        ("latency-10000", "p999_ms", "10k/s p99.9"),
        ("rpc", "p50_ms", "rpc p50"),
        ("rpc", "p99_ms", "rpc p99"),
    ];

    public static int Run(string[] args)
    {
        var inputs = new List<string>();
        string baseline = "rabbitmq", candidate = "orleans", ceiling = "client-only", outDir = ".";
        string baselineName = "RabbitMQ", candidateName = "OrleansBroker";
        var meta = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var notes = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--in": inputs.Add(Value()); break;
                case "--baseline": baseline = Value(); break;
                case "--candidate": candidate = Value(); break;
                case "--baseline-name": baselineName = Value(); break;
                case "--candidate-name": candidateName = Value(); break;
                case "--ceiling": ceiling = Value(); break;
                case "--out-dir": outDir = Value(); break;
                case "--note": notes.Add(Value()); break;
                case "--meta":
                    var (key, value) = BenchOptions.SplitPair(Value(), "--meta");
                    meta[key] = value;
                    break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        // Lines for the same (scenario, target) — e.g. the memory scenarios, run once per fresh broker — are merged:
        // their runs pooled, median / min / max recomputed.
        var lines = new Dictionary<(string Scenario, string Target), JsonObject>();
        var scenarioOrder = new List<string>();
        foreach (var path in inputs)
        {
            foreach (var text in File.ReadLines(path).Where(l => l.StartsWith('{')))
            {
                var node = JsonNode.Parse(text)!.AsObject();
                var scenario = (string)node["scenario"]!;
                var line = (scenario, (string)node["target"]!);
                lines[line] = lines.TryGetValue(line, out var earlier) ? Merge(earlier, node) : node;
                if (!scenarioOrder.Contains(scenario))
                {
                    scenarioOrder.Add(scenario);
                }

                foreach (var (key, value) in node["meta"]?.AsObject() ?? [])
                {
                    meta.TryAdd(key, value?.ToString() ?? "");
                }
            }
        }

        var machine = Machine();
        Directory.CreateDirectory(outDir);
        double Median(string scenario, string target, string metric) =>
            lines.TryGetValue((scenario, target), out var line) && line["metrics"]?[metric]?["median"] is { } m ? (double)m : double.NaN;

        // Comparison rows.
        var rows = new List<(string Scenario, string Metric, double Base, double Cand, double Ratio, bool Higher, string BaseText, string CandText)>();
        foreach (var scenario in scenarioOrder.Where(s => lines.ContainsKey((s, baseline)) || lines.ContainsKey((s, candidate))))
        {
            var metrics = new[] { baseline, candidate }
                .Where(t => lines.ContainsKey((scenario, t)))
                .SelectMany(t => lines[(scenario, t)]["metrics"]!.AsObject().Select(p => p.Key))
                .Distinct()
                .Where(k => !IsCpuSplit(k))
                .OrderBy(k => MetricCatalog.Get(k).Order);
            foreach (var metric in metrics)
            {
                var info = MetricCatalog.Get(metric);
                var b = Median(scenario, baseline, metric);
                var c = Median(scenario, candidate, metric);
                rows.Add((scenario, metric, b, c, c / b, info.HigherIsBetter, Cell(lines, scenario, baseline, metric), Cell(lines, scenario, candidate, metric)));
            }
        }

        // latest.json
        var json = new JsonObject
        {
            ["generated"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture),
            ["machine"] = new JsonObject(machine.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            ["meta"] = new JsonObject(meta.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            ["notes"] = new JsonArray(notes.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
            ["baseline"] = baseline,
            ["candidate"] = candidate,
            ["comparison"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
            {
                ["scenario"] = r.Scenario,
                ["metric"] = r.Metric,
                ["unit"] = MetricCatalog.Get(r.Metric).Unit,
                ["higher_is_better"] = r.Higher,
                [baseline] = Num(r.Base),
                [candidate] = Num(r.Cand),
                ["ratio"] = Num(r.Ratio),
            }).ToArray()),
            ["results"] = new JsonArray(lines.Values.Select(l => (JsonNode)l.DeepClone()).ToArray()),
        };
        File.WriteAllText(Path.Combine(outDir, "latest.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

        // latest.md
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# {candidateName} vs {baselineName}: latest side-by-side benchmark");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Generated {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC by `tests/bench/compare.sh`; same machine, same client (RabbitMQ.Client 7.1.2), same run, brokers alternating run by run.");
        md.AppendLine();
        md.AppendLine("Machine: " + string.Join("; ", machine.Select(kv => $"{kv.Key}: {kv.Value}")) + ".");
        if (meta.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Run: " + string.Join("; ", meta.Select(kv => $"{kv.Key}: {kv.Value}")) + ".");
        }

        foreach (var note in notes)
        {
            md.AppendLine();
            md.AppendLine(note);
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Cells are the median of the runs with (min–max). Ratio = {candidateName} ÷ {baselineName}; ↑ higher is better, ↓ lower is better. These shared 2-core machines are noisy: read ratios, not absolute figures.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| scenario | metric | {baselineName} | {candidateName} | ratio |");
        md.AppendLine("|---|---|---:|---:|---:|");
        foreach (var r in rows)
        {
            var info = MetricCatalog.Get(r.Metric);
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {info.Display} ({info.Unit}) {(r.Higher ? "↑" : "↓")} | {r.BaseText} | {r.CandText} | {RatioText(r.Base, r.Cand)} |");
        }

        // Where the CPU went: the machine has few cores and the client shares them with the broker.
        md.AppendLine();
        md.AppendLine("## CPU split (cores busy during the measured part)");
        md.AppendLine();
        md.AppendLine("Broker and client CPU from /proc/PID/stat; \"other\" is everything else busy on the machine (/proc/stat) — other tenants, the idle broker — i.e. the noise. On 2 cores, broker + client near 2 means the machine, not one process, is the limit; then *broker CPU per message* is the figure to compare. Client CPU per message also depends on the broker (how it batches frames).");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| scenario | {baselineName}: broker / client / other cores | client µs per msg | {candidateName}: broker / client / other cores | client µs per msg |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var scenario in scenarioOrder.Where(s => lines.ContainsKey((s, baseline)) || lines.ContainsKey((s, candidate))))
        {
            string Cores(string target) => string.Join(" / ", new[] { "broker_cpu_cores", "client_cpu_cores", "other_cpu_cores" }
                .Select(m => Format.Number(Median(scenario, target, m))));
            string ClientCost(string target) => Format.Number(new[] { "client_cpu_us_per_msg", "client_cpu_us_per_delivery", "client_cpu_us_per_call", "client_cpu_us_per_conn" }
                .Select(m => Median(scenario, target, m)).FirstOrDefault(v => !double.IsNaN(v), double.NaN));
            md.AppendLine(CultureInfo.InvariantCulture, $"| {scenario} | {Cores(baseline)} | {ClientCost(baseline)} | {Cores(candidate)} | {ClientCost(candidate)} |");
        }

        var ceilingScenarios = scenarioOrder.Where(s => lines.ContainsKey((s, ceiling))).ToList();
        if (ceilingScenarios.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Client ceiling");
            md.AppendLine();
            md.AppendLine("The same client against `null-broker` (an AMQP endpoint that does no broker work: drops publishes, streams pre-encoded deliveries): what RabbitMQ.Client alone can do on this machine.");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"| scenario | metric | client only (null-broker) | {baselineName} | {candidateName} |");
            md.AppendLine("|---|---|---:|---:|---:|");
            foreach (var scenario in ceilingScenarios)
            {
                foreach (var (metric, _) in lines[(scenario, ceiling)]["metrics"]!.AsObject())
                {
                    var info = MetricCatalog.Get(metric);
                    md.AppendLine(CultureInfo.InvariantCulture,
                        $"| {scenario} | {info.Display} ({info.Unit}) | {Cell(lines, scenario, ceiling, metric)} | {Cell(lines, scenario, baseline, metric)} | {Cell(lines, scenario, candidate, metric)} |");
                }
            }
        }

        var incomplete = lines.Values.Where(l => l["complete"]?.GetValue<bool>() == false).ToList();
        if (incomplete.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Incomplete runs");
            md.AppendLine();
            foreach (var line in incomplete)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {line["scenario"]} on {line["target"]}: {string.Join("; ", line["notes"]!.AsArray().Select(n => n!.ToString()))}");
            }
        }

        File.WriteAllText(Path.Combine(outDir, "latest.md"), md.ToString());

        // gnuplot data: label, baseline median, candidate median.
        void Dat(string file, (string Scenario, string Metric, string Label)[] bars)
        {
            var dat = new StringBuilder();
            dat.AppendLine(CultureInfo.InvariantCulture, $"label \"{baselineName}\" \"{candidateName}\"");
            foreach (var (scenario, metric, label) in bars)
            {
                var b = Median(scenario, baseline, metric);
                var c = Median(scenario, candidate, metric);
                if (!double.IsNaN(b) || !double.IsNaN(c))
                {
                    dat.AppendLine(CultureInfo.InvariantCulture, $"\"{label}\" {Dat1(b)} {Dat1(c)}");
                }
            }

            File.WriteAllText(Path.Combine(outDir, file), dat.ToString());
        }

        Dat("throughput.dat", ThroughputBars);
        Dat("latency.dat", LatencyBars);
        Dat("cpu.dat", ThroughputBars.Where(b => b.Metric != "calls_s" && b.Metric != "confirmed_msg_s").Select(b =>
            (b.Scenario, b.Scenario == "fanout" ? "broker_cpu_us_per_delivery" : "broker_cpu_us_per_msg", b.Scenario == "backlog" ? "backlog publish+drain" : b.Label.Replace(" consumed", "", StringComparison.Ordinal).Replace(" deliveries", "", StringComparison.Ordinal)))
            .DistinctBy(b => b.Scenario).ToArray());
        Console.WriteLine(md.ToString());
        return 0;
    }

    private static bool IsCpuSplit(string metric) =>
        metric.EndsWith("_cores", StringComparison.Ordinal) || metric.StartsWith("client_cpu_", StringComparison.Ordinal);

    private static string RatioText(double baseline, double candidate) =>
        double.IsNaN(baseline) || double.IsNaN(candidate) || baseline <= 0 || candidate < 0
            ? "–"
            : (candidate / baseline).ToString("0.00", CultureInfo.InvariantCulture) + "×";

    /// <summary>Pools the runs of two lines for the same scenario and target.</summary>
    private static JsonObject Merge(JsonObject earlier, JsonObject later)
    {
        var merged = (JsonObject)later.DeepClone();
        merged["runs"] = (int)earlier["runs"]! + (int)later["runs"]!;
        merged["complete"] = (bool)earlier["complete"]! && (bool)later["complete"]!;
        merged["notes"] = new JsonArray(earlier["notes"]!.AsArray().Concat(later["notes"]!.AsArray())
            .Select(n => n!.ToString()).Distinct().Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
        var metrics = new JsonObject();
        var keys = earlier["metrics"]!.AsObject().Select(p => p.Key).Concat(later["metrics"]!.AsObject().Select(p => p.Key)).Distinct();
        foreach (var key in keys)
        {
            var values = new[] { earlier, later }
                .SelectMany(l => l["metrics"]?[key]?["runs"]?.AsArray().Select(v => (double)v!) ?? [])
                .ToArray();
            var summary = Summary.Of(values);
            var info = MetricCatalog.Get(key);
            metrics[key] = new JsonObject
            {
                ["median"] = summary.Median,
                ["min"] = summary.Min,
                ["max"] = summary.Max,
                ["unit"] = info.Unit,
                ["higher_is_better"] = info.HigherIsBetter,
                ["runs"] = new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
            };
        }

        merged["metrics"] = metrics;
        return merged;
    }

    private static string Cell(Dictionary<(string, string), JsonObject> lines, string scenario, string target, string metric)
    {
        if (!lines.TryGetValue((scenario, target), out var line) || line["metrics"]?[metric] is not { } m)
        {
            return "–";
        }

        var text = $"{Format.Number((double)m["median"]!)} ({Format.Number((double)m["min"]!)}–{Format.Number((double)m["max"]!)})";
        return line["complete"]?.GetValue<bool>() == false ? text + " (!)" : text;
    }

    private static JsonNode? Num(double value) => double.IsNaN(value) || double.IsInfinity(value) ? null : JsonValue.Create(value);

    private static string Dat1(double value) => double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    public static SortedDictionary<string, string> Machine()
    {
        var machine = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["cores (nproc)"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
            ["runtime"] = RuntimeInformation.FrameworkDescription,
        };
        try
        {
            var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (model is not null)
            {
                machine["cpu"] = model[(model.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }

            var mem = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (mem is not null)
            {
                var kb = long.Parse(mem["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                machine["memory"] = $"{kb / 1024.0 / 1024.0:0.0} GiB".Replace(',', '.');
            }

            machine["kernel"] = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
        }

        return machine;
    }
}
