using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OrleansBroker.Silo.Hosting;

namespace OrleansBroker.Tests.Infrastructure;

/// <summary>
/// Our broker as a separate process (the executable the tests were built with), on 127.0.0.1, for
/// tests that must kill it hard: a silo node, or a gateway-only node (<see cref="StartGatewayNodeAsync"/>).
/// Disposing kills it if it still runs.
/// </summary>
public sealed class BrokerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = new();
    private readonly string _readyLine;

    private BrokerProcess(Process process, int port, string dataDir, IReadOnlyList<string> extraArguments, string readyLine)
    {
        _process = process;
        _readyLine = readyLine;
        Port = port;
        DataDir = dataDir;
        ExtraArguments = extraArguments;
    }

    public int Port { get; }

    public string DataDir { get; }

    /// <summary>The switches given beyond port, address and data directory (a cluster node's), for a restart.</summary>
    public IReadOnlyList<string> ExtraArguments { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    public static Task<BrokerProcess> StartAsync(string dataDir, int? port = null, IReadOnlyList<string>? extraArguments = null)
    {
        extraArguments ??= [];
        var amqpPort = port ?? FreePort();
        return LaunchAsync(
            typeof(BrokerHost).Assembly.Location,
            ["--amqp-port", amqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--data-dir", dataDir],
            amqpPort, dataDir, extraArguments, "OrleansBroker ready");
    }

    /// <summary>A gateway-only node (src/Gateway) of the cluster whose membership is in <paramref name="cluster"/>.</summary>
    public static Task<BrokerProcess> StartGatewayNodeAsync(string cluster)
    {
        var amqpPort = FreePort();
        return LaunchAsync(
            typeof(OrleansBroker.Gateway.Node.GatewayNodeHost).Assembly.Location,
            ["--amqp-port", amqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1"],
            amqpPort, string.Empty, ["--cluster", cluster], "OrleansBroker gateway node ready");
    }

    private static async Task<BrokerProcess> LaunchAsync(string program, string[] arguments, int amqpPort, string dataDir, IReadOnlyList<string> extraArguments, string readyLine)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Tests run brokers side by side: the management and Prometheus listeners (15672, 15692 by default) stay off
        // unless a test's switches turn them on.
        start.Environment["ORLEANSBROKER_Broker__ManagementPort"] = "off";
        start.Environment["ORLEANSBROKER_Broker__PrometheusPort"] = "off";
        foreach (var argument in new[] { program }.Concat(arguments).Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var broker = new BrokerProcess(process, amqpPort, dataDir, extraArguments, readyLine);
        process.OutputDataReceived += (_, e) => broker.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => broker.OnLine(e.Data);
        process.Exited += (_, _) => broker._ready.TrySetException(new InvalidOperationException($"broker exited with {process.ExitCode}:{Environment.NewLine}{broker.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await broker._ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }

        return broker;
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>The same broker again (after <see cref="KillAsync"/>): same port, data directory and switches.</summary>
    public Task<BrokerProcess> RestartAsync() => StartAsync(DataDir, Port, ExtraArguments);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (line.StartsWith(_readyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }
}
