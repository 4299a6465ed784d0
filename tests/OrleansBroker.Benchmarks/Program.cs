using System.Globalization;
using OrleansBroker.Benchmarks;

// OrleansBroker.Benchmarks: see BenchOptions.Usage and docs/benchmarks.md.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM,
    context =>
    {
        context.Cancel = true;
        stop.Cancel();
    });

var command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "run";
var rest = args.Length > 0 && command == args[0] ? args[1..] : args;
try
{
    switch (command)
    {
        case "run":
            var options = BenchOptions.Parse(rest);
            if (options.Targets.Count == 0)
            {
                Console.Error.WriteLine(BenchOptions.Usage.Replace("{SCENARIOS}", string.Join(", ",
                    OrleansBroker.Benchmarks.Scenarios.Scenario.All(options).Select(s => s.Name)), StringComparison.Ordinal));
                return 2;
            }

            return await Runner.RunAsync(options, stop.Token);
        case "null-broker":
            var port = rest.Length == 2 && rest[0] == "--port" ? int.Parse(rest[1], CultureInfo.InvariantCulture) : 5699;
            return await NullBroker.RunAsync(port, stop.Token);
        case "report":
            return Report.Run(rest);
        case "alloc-report":
            return AllocationReport.Run(rest);
        default:
            Console.Error.WriteLine(BenchOptions.Usage.Replace("{SCENARIOS}", "see `run`", StringComparison.Ordinal));
            return 2;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
