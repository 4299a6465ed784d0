using OrleansBroker.Hosting;
using OrleansBroker.Hosting.Configuration;

namespace OrleansBroker.Gateway.Node;

/// <summary>
/// Entry point of a gateway-only node: <c>dotnet run --project src/Gateway -- --cluster CONNSTR --amqp-port 5672</c>.
/// Runs until Ctrl+C or SIGTERM.
/// </summary>
public static class GatewayNodeProgram
{
    public static async Task<int> Main(string[] args)
    {
        // As the silo's Program: socket completions on the socket engine's threads, set before the first socket.
        if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
        {
            Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        }

        try
        {
            return await RunAsync(args);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException
            or ArgumentException or BrokerConfigurationException or System.Net.Sockets.SocketException
            or Microsoft.Extensions.Options.OptionsValidationException or Orleans.Runtime.OrleansException)
        {
            // Configuration and environment problems, or no cluster to reach: one clear line, no stack trace.
            Console.Error.WriteLine($"OrleansBroker gateway node cannot start: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> RunAsync(string[] args)
    {
        var loaded = BrokerConfiguration.LoadGatewayNode(args);
        BrokerLogging.Report(loaded);
        using var stop = new StopSignal();
        await using var host = await GatewayNodeHost.StartAsync(loaded.Broker, loaded.Configuration);
        Console.WriteLine($"OrleansBroker gateway node ready: AMQP 0-9-1 on {host.AmqpEndpoint}");
        await stop.WaitAsync();
        Console.WriteLine("OrleansBroker gateway node stopping: closing client connections");
        await host.StopAsync();
        return 0;
    }
}
