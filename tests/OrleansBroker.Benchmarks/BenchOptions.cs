using System.Globalization;

namespace OrleansBroker.Benchmarks;

/// <summary>Sizes and limits of the scenarios. Defaults keep the whole suite against one broker to a few minutes on a 2-core machine.</summary>
public sealed class BenchOptions
{
    public List<Target> Targets { get; } = [];

    public List<string> Scenarios { get; } = [];

    /// <summary>Measured runs per scenario and target (median, min, max are over these).</summary>
    public int Runs { get; set; } = 3;

    /// <summary>Messages per measured run of the transient throughput scenarios.</summary>
    public int Messages { get; set; } = 200_000;

    /// <summary>Warm-up messages before each measured run (not counted).</summary>
    public int Warmup { get; set; } = 20_000;

    /// <summary>Throughput scenarios repeat their warm-up rounds until at least this long has passed.</summary>
    public double WarmupSeconds { get; set; } = 1;

    public int PersistentMessages { get; set; } = 100_000;

    public int PersistentBodySize { get; set; } = 16;

    /// <summary>Publisher confirms allowed in flight (persistent-confirms and backlog).</summary>
    public int ConfirmWindow { get; set; } = 1000;

    public ushort Prefetch { get; set; } = 1000;

    /// <summary>Messages published per run in the fanout scenario (deliveries = messages × queues).</summary>
    public int FanoutMessages { get; set; } = 20_000;

    public int FanoutQueues { get; set; } = 10;

    public List<int> LatencyRates { get; } = [];

    public double LatencySeconds { get; set; } = 10;

    public double LatencyWarmupSeconds { get; set; } = 2;

    public int RpcCalls { get; set; } = 10_000;

    public double RpcSeconds { get; set; } = 10;

    public int Connections { get; set; } = 2_000;

    public int ConnectionConcurrency { get; set; } = 20;

    public int Backlog { get; set; } = 200_000;

    public int BacklogBodySize { get; set; } = 1024;

    /// <summary>Upper bound on the measured part of any one run; a run that hits it is reported incomplete.</summary>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromSeconds(120);

    public string? JsonOut { get; set; }

    public Dictionary<string, string> Meta { get; } = new(StringComparer.Ordinal);

    public const string Usage = """
        OrleansBroker.Benchmarks — drives any AMQP 0-9-1 broker with RabbitMQ.Client.

          run       --target LABEL=URI [--pid LABEL=PID] [--target ...] [options]
                    --uri URI [--broker-pid PID]         (shorthand for one target labelled "broker")
          null-broker --port N                            an AMQP endpoint that does no broker work (client ceiling)
          report    --in FILE.jsonl [--in ...] --baseline LABEL --candidate LABEL --out-dir DIR [--meta K=V] [--note TEXT]
          alloc-report TRACE.nettrace --messages N      allocations per message from a dotnet-trace gc-verbose trace

        run options (defaults in brackets):
          --scenarios a,b,c        [all] one or more of: {SCENARIOS}
          --runs N                 [3] measured runs per scenario and target; targets alternate run by run
          --messages N             [200000] transient messages per run
          --warmup N               [20000] warm-up messages per round; rounds repeat for --warmup-seconds S [1]
          --persistent-messages N  [100000]  --persistent-size BYTES [16]  --confirm-window N [1000]
          --prefetch N             [1000]
          --fanout-messages N      [20000] published per run (× queues deliveries)  --fanout-queues N [10]
          --latency-rates R,R      [1000,10000]  --latency-seconds S [10]  --latency-warmup-seconds S [2]
          --rpc-calls N            [10000]  --rpc-seconds S [10] (whichever comes first)
          --connections N          [2000]  --connection-concurrency N [20]
          --backlog N              [200000] --backlog-size BYTES [1024]
          --run-timeout S          [120] bound on the measured part of each run
          --json FILE              append one JSON line per scenario and target
          --meta K=V               recorded in the JSON lines (e.g. broker versions)
          --scale F                multiply every message / call / connection count by F (e.g. 0.1 for a smoke run)

        Full size as in issue 4: --connections 10000 --backlog 1000000 --messages 1000000.
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        var pids = new Dictionary<string, int>(StringComparer.Ordinal);
        var targets = new List<(string Label, Uri Uri)>();
        double scale = 1;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            double Dbl() => double.Parse(Value(), CultureInfo.InvariantCulture);
            switch (name)
            {
                case "--target":
                    var (label, uri) = SplitPair(Value(), name);
                    targets.Add((label, new Uri(uri)));
                    break;
                case "--uri":
                    targets.Add(("broker", new Uri(Value())));
                    break;
                case "--pid":
                    var (pidLabel, pid) = SplitPair(Value(), name);
                    pids[pidLabel] = int.Parse(pid, CultureInfo.InvariantCulture);
                    break;
                case "--broker-pid":
                    pids["broker"] = Int();
                    break;
                case "--scenarios": // the last one wins
                    options.Scenarios.Clear();
                    options.Scenarios.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--runs": options.Runs = Int(); break;
                case "--messages": options.Messages = Int(); break;
                case "--warmup": options.Warmup = Int(); break;
                case "--warmup-seconds": options.WarmupSeconds = Dbl(); break;
                case "--persistent-messages": options.PersistentMessages = Int(); break;
                case "--persistent-size": options.PersistentBodySize = Int(); break;
                case "--confirm-window": options.ConfirmWindow = Int(); break;
                case "--prefetch": options.Prefetch = ushort.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--fanout-messages": options.FanoutMessages = Int(); break;
                case "--fanout-queues": options.FanoutQueues = Int(); break;
                case "--latency-rates":
                    options.LatencyRates.Clear();
                    options.LatencyRates.AddRange(Value().Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)));
                    break;
                case "--latency-seconds": options.LatencySeconds = Dbl(); break;
                case "--latency-warmup-seconds": options.LatencyWarmupSeconds = Dbl(); break;
                case "--rpc-calls": options.RpcCalls = Int(); break;
                case "--rpc-seconds": options.RpcSeconds = Dbl(); break;
                case "--connections": options.Connections = Int(); break;
                case "--connection-concurrency": options.ConnectionConcurrency = Int(); break;
                case "--backlog": options.Backlog = Int(); break;
                case "--backlog-size": options.BacklogBodySize = Int(); break;
                case "--run-timeout": options.RunTimeout = TimeSpan.FromSeconds(Dbl()); break;
                case "--json": options.JsonOut = Value(); break;
                case "--meta":
                    var (key, value) = SplitPair(Value(), name);
                    options.Meta[key] = value;
                    break;
                case "--scale": scale = Dbl(); break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }

        foreach (var (label, uri) in targets)
        {
            options.Targets.Add(new Target(label, uri, pids.TryGetValue(label, out var pid) ? pid : null));
        }

        if (options.LatencyRates.Count == 0)
        {
            options.LatencyRates.AddRange([1_000, 10_000]);
        }

        if (scale != 1)
        {
            int S(int n) => Math.Max(1, (int)Math.Round(n * scale));
            options.Messages = S(options.Messages);
            options.Warmup = S(options.Warmup);
            options.PersistentMessages = S(options.PersistentMessages);
            options.FanoutMessages = S(options.FanoutMessages);
            options.RpcCalls = S(options.RpcCalls);
            options.Connections = S(options.Connections);
            options.Backlog = S(options.Backlog);
            options.LatencySeconds = Math.Max(1, options.LatencySeconds * scale);
            options.RpcSeconds = Math.Max(1, options.RpcSeconds * scale);
        }

        return options;
    }

    internal static (string Key, string Value) SplitPair(string text, string option)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new ArgumentException($"{option} expects KEY=VALUE, got '{text}'");
        }

        return (text[..eq], text[(eq + 1)..]);
    }
}
