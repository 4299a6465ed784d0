using Microsoft.Extensions.Configuration;

namespace OrleansBroker.Silo.Hosting;

/// <summary>Runs the broker as a console program until Ctrl+C or SIGTERM.</summary>
public static class BrokerCommandLine
{
    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--amqp-port"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.AmqpPort)}",
        ["--bind"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.Bind)}",
        ["--data-dir"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.DataDir)}",
        ["--postgres"] = $"{BrokerOptions.SectionName}:{nameof(BrokerOptions.PostgresConnectionString)}",
        ["--config"] = "config",
    };

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return await RunOrThrowAsync(args);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException
            or ArgumentException or OrleansBroker.Silo.Storage.AdoNet.GrainStorageException or OrleansBroker.Silo.Storage.Messages.MessageStoreDirectoryException
            or System.Net.Sockets.SocketException)
        {
            // Configuration and environment problems: one clear line, no stack trace.
            Console.Error.WriteLine($"OrleansBroker cannot start: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> RunOrThrowAsync(string[] args)
    {
        // Later sources win: the JSON file, then environment variables, then the command line.
        var commandLine = new ConfigurationBuilder().AddCommandLine(args, SwitchMappings).Build();
        var configFile = commandLine["config"] ?? "orleansbroker.json";
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(configFile), optional: commandLine["config"] is null)
            .AddEnvironmentVariables("ORLEANSBROKER_")
            .AddCommandLine(args, SwitchMappings)
            .Build();
        var options = new BrokerOptions();
        configuration.GetSection(BrokerOptions.SectionName).Bind(options);

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
}
