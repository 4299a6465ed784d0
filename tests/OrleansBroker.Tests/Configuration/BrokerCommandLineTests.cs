using System.Diagnostics;
using OrleansBroker.Silo.Hosting;

namespace OrleansBroker.Tests.Configuration;

/// <summary>
/// The broker executable refusing a bad configuration: one line on stderr, exit code 1, before anything starts.
/// </summary>
public sealed class BrokerCommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orleansbroker-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task An_unknown_switch_exits_1_with_one_line_naming_it()
    {
        var (exitCode, output, error) = await RunBrokerAsync("--clusterr", "x");

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("OrleansBroker cannot start: unknown switch '--clusterr'; known switches: --amqp-port,", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_rabbitmq_conf_key_exits_1_with_one_line_naming_it_and_its_line()
    {
        var conf = Path.Combine(_directory, "rabbitmq.conf");
        await File.WriteAllTextAsync(conf, "# settings\nheartbeat = 30\nheartbeatt = 30\n");

        var (exitCode, _, error) = await RunBrokerAsync("--rabbitmq-conf", conf, "--data-dir", _directory);

        Assert.Equal(1, exitCode);
        Assert.Equal(
            $"OrleansBroker cannot start: {conf} line 3: unknown key 'heartbeatt': RabbitMQ 3.10.8 has no such setting (did you mean 'heartbeat'?)",
            error.TrimEnd());
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunBrokerAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(BrokerHost).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
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

        return (process.ExitCode, await output, await error);
    }
}
