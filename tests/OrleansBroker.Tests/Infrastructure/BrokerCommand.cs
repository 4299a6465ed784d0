using System.Diagnostics;
using OrleansBroker.Silo.Hosting;

namespace OrleansBroker.Tests.Infrastructure;

/// <summary>
/// Our broker's executable (the one the tests were built with; a silo, or a gateway-only node) run with given switches
/// until it exits: for what the command line prints when the broker cannot start.
/// </summary>
public sealed record BrokerCommand(int ExitCode, string StandardOutput, string StandardError)
{
    public static Task<BrokerCommand> RunAsync(params string[] arguments) =>
        RunAsync(new Dictionary<string, string?>(), arguments);

    /// <summary>Runs it with these environment variables changed (a null value removes the variable).</summary>
    public static Task<BrokerCommand> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        RunProgramAsync(typeof(BrokerHost).Assembly.Location, environment, arguments);

    /// <summary>The gateway-only node's executable (src/Gateway) instead.</summary>
    public static Task<BrokerCommand> RunGatewayNodeAsync(params string[] arguments) =>
        RunProgramAsync(typeof(OrleansBroker.Gateway.Node.GatewayNodeHost).Assembly.Location, new Dictionary<string, string?>(), arguments);

    private static async Task<BrokerCommand> RunProgramAsync(string program, IReadOnlyDictionary<string, string?> environment, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Tests run brokers side by side: the management and Prometheus listeners (15672, 15692 by default) stay off.
        start.Environment["ORLEANSBROKER_Broker__ManagementPort"] = "off";
        start.Environment["ORLEANSBROKER_Broker__PrometheusPort"] = "off";
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new BrokerCommand(process.ExitCode, await output, await error);
    }
}
