using Microsoft.Extensions.Logging;

namespace OrleansBroker.Hosting;

/// <summary>The console log of a broker process (silo or gateway-only node): the broker's messages, Orleans' warnings.</summary>
public static class BrokerLogging
{
    public static ILoggingBuilder Configure(ILoggingBuilder logging)
    {
        logging.AddSimpleConsole(o => o.SingleLine = true);
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("OrleansBroker", LogLevel.Information);

        // A failed start is reported once, in plain words, by the command line.
        logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical);

        // Orleans 10.4.2's watchdog starts its checking thread before it sets the timestamp that thread reads, so a start
        // can warn of a "participant check" stall as long as the machine's uptime. Its stall warnings go unseen too;
        // stalls still show in the broker's latency and in Orleans' own metrics.
        logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error);
        return logging;
    }

    /// <summary>What <see cref="Configuration.BrokerConfiguration"/> found: the files read, overrides, warnings.</summary>
    public static void Report(Configuration.BrokerConfiguration loaded)
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
