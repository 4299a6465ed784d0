using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansBroker.Amqp;
using OrleansBroker.Client;
using OrleansClientApp;

// An Orleans client app and AMQP clients on the same broker: this app publishes "order N created" events to a topic
// exchange that an AMQP client (amqp_peer.py, with pika) consumes through a queue bound to it, and consumes the queue
// that AMQP client publishes "payment N received" messages to. README.md, "Orleans applications", shows a run.
SampleSettings settings;
try
{
    settings = SampleSettings.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);

// A lone broker's silo uses localhost clustering with cluster and service id "orleansbroker".
builder.UseOrleansClient(client => client.UseLocalhostClustering(settings.GatewayPort, serviceId: "orleansbroker", clusterId: "orleansbroker"));
using var host = builder.Build();
try
{
    await host.StartAsync();
}
catch (Exception e)
{
    Console.Error.WriteLine($"cannot reach the broker's Orleans gateway on port {settings.GatewayPort}: {e.Message}");
    return 1;
}

var client = host.Services.GetRequiredService<IClusterClient>();

await using (var session = await BrokerSession.OpenAsync(client))
{
    await SampleTopology.DeclareAsync(session);

    for (var i = 1; i <= settings.Count; i++)
    {
        var properties = new MessageProperties
        {
            ContentType = "text/plain",
            DeliveryMode = 2,
            CorrelationId = $"order-{i}",
            MessageId = Guid.NewGuid().ToString(),
            Headers = new FieldTable([new("source", "orleans")]),
        };
        var outcome = await session.PublishAsync(SampleTopology.Exchange, "orders.created", Encoding.UTF8.GetBytes($"order {i} created"), properties, mandatory: true);
        Console.WriteLine($"published to {SampleTopology.Exchange}: order {i} created ({outcome})");
    }

    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };

    var received = 0;
    Console.WriteLine($"waiting for {settings.Count} messages on {SampleTopology.ToOrleans} (Ctrl+C stops)");
    try
    {
        await foreach (var message in session.Consume(SampleTopology.ToOrleans, new ConsumeOptions { Prefetch = 10 }, stop.Token))
        {
            Console.WriteLine($"received from AMQP: {Encoding.UTF8.GetString(message.Body.Span)} (correlation id {message.Properties.CorrelationId})");
            await message.AckAsync();
            if (++received == settings.Count)
            {
                break;
            }
        }
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
    }
}

await host.StopAsync();
return 0;
