using System.Globalization;

namespace OrleansBroker.Benchmarks;

/// <summary>Reads CPU time and resident memory of a process from /proc (Linux).</summary>
public static class ProcStats
{
    /// <summary>USER_HZ: the unit of utime/stime in /proc/PID/stat. 100 on every Linux architecture .NET runs on.</summary>
    public const double ClockTicksPerSecond = 100.0;

    /// <summary>utime + stime of <paramref name="pid"/> in seconds, or NaN when it cannot be read.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // rest[0] is field 3 (state); utime is field 14, stime field 15.
            var utime = long.Parse(rest[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(rest[12], CultureInfo.InvariantCulture);
            return (utime + stime) / ClockTicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return double.NaN;
        }
    }

    /// <summary>VmRSS of <paramref name="pid"/> in bytes, or NaN when it cannot be read.</summary>
    public static double RssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024.0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return double.NaN;
    }

    public static double SelfCpuSeconds() => CpuSeconds(Environment.ProcessId);

    /// <summary>Busy CPU seconds of the whole machine (all CPUs, from the first line of /proc/stat), or NaN.</summary>
    public static double MachineBusySeconds()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var fields = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal ...
            long busy = 0;
            foreach (var i in new[] { 1, 2, 3, 6, 7, 8 })
            {
                busy += long.Parse(fields[i], CultureInfo.InvariantCulture);
            }

            return busy / ClockTicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or NullReferenceException)
        {
            return double.NaN;
        }
    }
}

/// <summary>CPU seconds of the broker and of this client process between two points in time.</summary>
public readonly record struct CpuSnapshot(double Broker, double Client, double Machine, long Timestamp)
{
    public static CpuSnapshot Take(Target target) =>
        new(target.Pid is { } pid ? ProcStats.CpuSeconds(pid) : double.NaN, ProcStats.SelfCpuSeconds(), ProcStats.MachineBusySeconds(),
            System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>Adds broker and client CPU microseconds per unit (message, call, connection) over [this, end].</summary>
    public void Report(CpuSnapshot end, double units, RunResult result, string unitName = "msg")
    {
        if (units <= 0)
        {
            return;
        }

        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(Timestamp, end.Timestamp).TotalSeconds;
        if (!double.IsNaN(Broker) && !double.IsNaN(end.Broker))
        {
            result.Set($"broker_cpu_us_per_{unitName}", (end.Broker - Broker) * 1e6 / units);
            if (seconds > 0)
            {
                result.Set("broker_cpu_cores", (end.Broker - Broker) / seconds);
            }
        }

        result.Set($"client_cpu_us_per_{unitName}", (end.Client - Client) * 1e6 / units);
        if (seconds > 0)
        {
            result.Set("client_cpu_cores", (end.Client - Client) / seconds);
            // Everything else on the machine (other tenants, the other broker idling): the noise indicator.
            var broker = double.IsNaN(Broker) || double.IsNaN(end.Broker) ? 0 : end.Broker - Broker;
            result.Set("other_cpu_cores", Math.Max(0, (end.Machine - Machine - broker - (end.Client - Client)) / seconds));
        }
    }
}

/// <summary>Samples the broker's RSS in the background and keeps the peak.</summary>
public sealed class RssSampler : IAsyncDisposable
{
    private readonly int? _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private double _peak = double.NaN;

    public RssSampler(int? pid, TimeSpan interval)
    {
        _pid = pid;
        _loop = pid is null ? Task.CompletedTask : Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            try
            {
                do
                {
                    Sample();
                }
                while (await timer.WaitForNextTickAsync(_stop.Token));
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public double PeakBytes
    {
        get
        {
            Sample();
            return _peak;
        }
    }

    private void Sample()
    {
        if (_pid is not { } pid)
        {
            return;
        }

        var rss = ProcStats.RssBytes(pid);
        lock (_stop)
        {
            if (!double.IsNaN(rss) && (double.IsNaN(_peak) || rss > _peak))
            {
                _peak = rss;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
