using OrleansBroker.Hosting;
using OrleansBroker.Hosting.Configuration;

namespace OrleansBroker.Silo.Hosting;

/// <summary>Runs the broker as a console program until Ctrl+C or SIGTERM.</summary>
public static class BrokerCommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return await RunOrThrowAsync(args);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException
            or ArgumentException or BrokerConfigurationException
            or OrleansBroker.Silo.Storage.AdoNet.GrainStorageException or OrleansBroker.Silo.Storage.Messages.MessageStoreDirectoryException
            or System.Net.Sockets.SocketException
            or Microsoft.Extensions.Options.OptionsValidationException or k8s.Exceptions.KubeConfigException)
        {
            // Configuration and environment problems: one clear line, no stack trace.
            Console.Error.WriteLine($"OrleansBroker cannot start: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> RunOrThrowAsync(string[] args)
    {
        // The sources and their order are BrokerConfiguration's.
        var loaded = BrokerConfiguration.Load(args);
        BrokerLogging.Report(loaded);
        var options = loaded.Broker;
        var configuration = loaded.Configuration;

        using var stop = new StopSignal();
        await using var host = await BrokerHost.StartAsync(options, configuration);
        Console.WriteLine($"OrleansBroker ready: AMQP 0-9-1 on {host.AmqpEndpoint}, data in {Path.GetFullPath(options.DataDir)}");
        if (host.ManagementEndpoint is { } management)
        {
            Console.WriteLine($"Management API on http://{management}/api/ (rabbitmqadmin, orleansbroker-ctl)");
        }

        if (host.PrometheusEndpoint is { } prometheus)
        {
            Console.WriteLine($"Prometheus metrics on http://{prometheus}/metrics");
        }

        if (host.DashboardEndpoint is { } dashboard)
        {
            Console.WriteLine($"Orleans Dashboard on http://{dashboard}/");
        }

        await stop.WaitAsync();
        Console.WriteLine("OrleansBroker stopping: closing client connections");
        await host.StopAsync();
        return 0;
    }
}
