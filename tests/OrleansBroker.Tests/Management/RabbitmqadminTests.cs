using System.Diagnostics;
using System.Globalization;

namespace OrleansBroker.Tests.Management;

/// <summary>Debian's rabbitmqadmin (package rabbitmq-server), unchanged, against the broker: declare, list, publish, get, delete.</summary>
public sealed class RabbitmqadminTests(ManagementBroker broker) : IClassFixture<ManagementBroker>
{
    [RabbitmqadminFact]
    public async Task Rabbitmqadmin_declares_lists_publishes_gets_and_deletes()
    {
        var queue = $"admin-{Guid.NewGuid():N}";
        var exchange = $"adminx-{Guid.NewGuid():N}";
        Assert.Equal("queue declared", await RunAsync("declare", "queue", $"name={queue}", "durable=false"));
        Assert.Equal("exchange declared", await RunAsync("declare", "exchange", $"name={exchange}", "type=fanout"));
        Assert.Equal("binding declared", await RunAsync("declare", "binding", $"source={exchange}", $"destination={queue}"));
        Assert.Equal("Message published", await RunAsync("publish", $"routing_key={queue}", "payload=hello"));
        Assert.Equal("Message published", await RunAsync("publish", $"exchange={exchange}", "routing_key=any", "payload=world"));

        var listed = await RunAsync("-f", "tsv", "list", "queues", "name", "messages");
        Assert.Contains($"{queue}\t2", listed.Split('\n'));

        var got = await RunAsync("-f", "tsv", "get", $"queue={queue}", "count=2", "ackmode=ack_requeue_false");
        var lines = got.Split('\n');
        Assert.Equal("routing_key\texchange\tmessage_count\tpayload\tpayload_bytes\tpayload_encoding\tredelivered", lines[0]);
        Assert.Equal($"{queue}\t\t1\thello\t5\tstring\tFalse", lines[1]);
        Assert.Equal($"any\t{exchange}\t0\tworld\t5\tstring\tFalse", lines[2]);

        var bindings = await RunAsync("-f", "tsv", "list", "bindings", "source", "destination");
        Assert.Contains($"{exchange}\t{queue}", bindings.Split('\n'));

        Assert.Equal("queue deleted", await RunAsync("delete", "queue", $"name={queue}"));
        Assert.Equal("exchange deleted", await RunAsync("delete", "exchange", $"name={exchange}"));
        Assert.DoesNotContain(queue, await RunAsync("-f", "tsv", "list", "queues", "name"), StringComparison.Ordinal);
    }

    private async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(RabbitmqadminFactAttribute.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-H", "127.0.0.1", "-P", broker.ManagementPort.ToString(CultureInfo.InvariantCulture), "-u", "guest", "-p", "guest" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, $"rabbitmqadmin {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{await output}");
        return (await output).TrimEnd('\n');
    }
}

/// <summary>A test that runs Debian's rabbitmqadmin: skipped, with the reason, where it is not installed.</summary>
public sealed class RabbitmqadminFactAttribute : FactAttribute
{
    public const string Path = "/usr/bin/rabbitmqadmin";

    public RabbitmqadminFactAttribute()
    {
        if (!File.Exists(Path))
        {
            Skip = "rabbitmqadmin is not installed (Debian: apt-get install rabbitmq-server)";
        }
    }
}
