using Microsoft.Extensions.Logging;
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
        LogConfiguration(loaded);
        var options = loaded.Broker;
        var configuration = loaded.Configuration;

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
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine("OrleansBroker stopping: closing client connections");
        await host.StopAsync();
        return 0;
    }

    private static void LogConfiguration(BrokerConfiguration loaded)
    {
        using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true));
        var logger = logging.CreateLogger("OrleansBroker.Configuration");
        if (loaded.Sources.Count > 0)
        {
            logger.LogInformation("configuration read from {Sources}", string.Join(", ", loaded.Sources));
        }

        foreach (var overridden in loaded.Overrides)
        {
            logger.LogInformation("{Override}", overridden);
        }

        foreach (var warning in loaded.Warnings)
        {
            logger.LogWarning("{Warning}", warning);
        }
    }
}
