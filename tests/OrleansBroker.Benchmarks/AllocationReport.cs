using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace OrleansBroker.Benchmarks;

/// <summary>
/// Reads an EventPipe trace taken with <c>dotnet-trace collect --profile gc-verbose</c> while the broker handled a known
/// number of messages, and prints the bytes allocated per message (from GC AllocationTick events: one event per ~100 KB
/// allocated, carrying the type of the object that crossed the threshold, so small totals are estimates), the
/// allocating types, and the GCs with their pause time.
/// </summary>
public static class AllocationReport
{
    public static int Run(string[] args)
    {
        string? file = null;
        double messages = double.NaN;
        var top = 15;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--messages": messages = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--top": top = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                default: file = args[i]; break;
            }
        }

        if (file is null || double.IsNaN(messages) || messages <= 0)
        {
            throw new ArgumentException("usage: alloc-report TRACE.nettrace --messages N [--top 15]");
        }

        var byType = new Dictionary<string, double>(StringComparer.Ordinal);
        double total = 0;
        int gen0 = 0, gen1 = 0, gen2 = 0;
        double pauseMs = 0, maxPauseMs = 0;
        double? suspendedAt = null;
        using (var source = new EventPipeEventSource(file))
        {
            var clr = new ClrTraceEventParser(source);
            clr.GCAllocationTick += e =>
            {
                var amount = e.AllocationAmount64 > 0 ? e.AllocationAmount64 : e.AllocationAmount;
                total += amount;
                var type = e.TypeName ?? "?";
                byType[type] = byType.GetValueOrDefault(type) + amount;
            };
            clr.GCStart += e =>
            {
                switch (e.Depth)
                {
                    case 0: gen0++; break;
                    case 1: gen1++; break;
                    default: gen2++; break;
                }
            };
            clr.GCSuspendEEStart += e => suspendedAt ??= e.TimeStampRelativeMSec;
            clr.GCRestartEEStop += e =>
            {
                if (suspendedAt is { } start)
                {
                    var pause = e.TimeStampRelativeMSec - start;
                    pauseMs += pause;
                    maxPauseMs = Math.Max(maxPauseMs, pause);
                    suspendedAt = null;
                }
            };
            source.Process();
        }

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"allocated ≈ {total / 1e6:F1} MB over {messages:N0} messages = {total / messages:F0} B/msg (AllocationTick estimate)"));
        Console.WriteLine(string.Create(c, $"GCs: gen0 {gen0}, gen1 {gen1}, gen2 {gen2} ({(gen0 + gen1 + gen2) / messages * 1e6:F1} per million messages); execution suspended {pauseMs:F0} ms in total, longest {maxPauseMs:F1} ms"));
        Console.WriteLine("allocating types:");
        foreach (var (type, bytes) in byType.OrderByDescending(kv => kv.Value).Take(top))
        {
            Console.WriteLine(string.Create(c, $"  {100 * bytes / total,5:F1}%  {bytes / messages,7:F1} B/msg  {type}"));
        }

        return 0;
    }
}
