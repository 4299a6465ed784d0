using System.Globalization;

namespace OrleansBroker.Benchmarks;

/// <summary>A broker to drive: a label for the reports, its AMQP URI and (optionally) its process id for /proc readings.</summary>
public sealed record Target(string Label, Uri Uri, int? Pid);

/// <summary>What one run of one scenario against one target measured.</summary>
public sealed class RunResult
{
    public Dictionary<string, double> Metrics { get; } = new(StringComparer.Ordinal);

    /// <summary>False when the run hit its time limit, lost or duplicated messages, or failed.</summary>
    public bool Complete { get; set; } = true;

    public List<string> Notes { get; } = [];

    public void Set(string metric, double value)
    {
        if (!double.IsNaN(value) && !double.IsInfinity(value))
        {
            Metrics[metric] = value;
        }
    }

    public void Fail(string note)
    {
        Complete = false;
        Notes.Add(note);
    }
}

/// <summary>How a metric is shown and which direction is better.</summary>
public sealed record MetricInfo(string Key, string Display, string Unit, bool HigherIsBetter, int Order);

public static class MetricCatalog
{
    private static readonly MetricInfo[] All =
    [
        new("published_msg_s", "published", "msg/s", true, 0),
        new("confirmed_msg_s", "confirmed", "msg/s", true, 1),
        new("consumed_msg_s", "consumed", "msg/s", true, 2),
        new("deliveries_s", "deliveries", "deliveries/s", true, 3),
        new("drain_msg_s", "drained", "msg/s", true, 4),
        new("calls_s", "calls", "calls/s", true, 5),
        new("rate_achieved_msg_s", "achieved rate", "msg/s", true, 6),
        new("p50_ms", "p50", "ms", false, 10),
        new("p99_ms", "p99", "ms", false, 11),
        new("p999_ms", "p99.9", "ms", false, 12),
        new("max_ms", "max", "ms", false, 13),
        new("open_s", "time to open all", "s", false, 20),
        new("connections_per_s", "opened", "conn/s", true, 21),
        new("close_s", "time to close all", "s", false, 22),
        new("broker_rss_kib_per_conn", "broker RSS growth per connection", "KiB", false, 23),
        new("broker_rss_mib_with_conns", "broker RSS with all connections open", "MiB", false, 24),
        new("broker_rss_bytes_per_msg", "broker RSS growth per queued msg", "B/msg", false, 30),
        new("broker_peak_rss_mib", "broker peak RSS", "MiB", false, 31),
        new("broker_rss_after_drain_mib", "broker RSS after drain", "MiB", false, 32),
        new("broker_cpu_us_per_msg", "broker CPU per msg", "µs", false, 40),
        new("broker_cpu_us_per_delivery", "broker CPU per delivery", "µs", false, 41),
        new("broker_cpu_us_per_call", "broker CPU per call", "µs", false, 42),
        new("broker_cpu_us_per_conn", "broker CPU per connection", "µs", false, 43),
        new("broker_cpu_cores", "broker CPU", "cores", false, 44),
        new("client_cpu_us_per_msg", "client CPU per msg", "µs", false, 50),
        new("client_cpu_us_per_delivery", "client CPU per delivery", "µs", false, 51),
        new("client_cpu_us_per_call", "client CPU per call", "µs", false, 52),
        new("client_cpu_us_per_conn", "client CPU per connection", "µs", false, 53),
        new("client_cpu_cores", "client CPU", "cores", false, 54),
        new("other_cpu_cores", "CPU used by other processes (noise)", "cores", false, 60),
    ];

    private static readonly Dictionary<string, MetricInfo> ByKey = All.ToDictionary(m => m.Key, StringComparer.Ordinal);

    public static MetricInfo Get(string key) =>
        ByKey.TryGetValue(key, out var info) ? info : new MetricInfo(key, key, "", true, 100);
}

/// <summary>Median, min and max of one metric over the runs.</summary>
public sealed record Summary(double Median, double Min, double Max, int Count)
{
    public static Summary Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Summary(double.NaN, double.NaN, double.NaN, 0);
        }

        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Summary(median, sorted[0], sorted[^1], sorted.Length);
    }
}

public static class Format
{
    /// <summary>Three significant digits, thousands separated: 123456 → "123,000"; 0.01234 → "0.0123".</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value))
        {
            return "–";
        }

        var abs = Math.Abs(value);
        if (abs < 1e-9)
        {
            return "0";
        }

        if (abs >= 100)
        {
            var magnitude = Math.Pow(10, Math.Floor(Math.Log10(abs)) - 2);
            return (Math.Round(value / magnitude) * magnitude).ToString("#,0", CultureInfo.InvariantCulture);
        }

        return value.ToString("G3", CultureInfo.InvariantCulture);
    }
}
