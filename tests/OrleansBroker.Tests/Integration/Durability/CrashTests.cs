using System.Collections.Concurrent;
using System.Text;
using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OrleansBroker.Tests.Integration.Durability;

/// <summary>
/// kill -9 in the middle of a stream of confirmed persistent publishes: after a restart every
/// confirmed message is there exactly once, unconfirmed ones at most once, nothing else.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orleansbroker-tests", Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Confirmed_persistent_messages_survive_a_kill_9_exactly_once()
    {
        const int TargetConfirmed = 3000;
        var queue = BrokerFixture.UniqueName("crash");
        var confirmed = new ConcurrentDictionary<int, bool>();
        var attempted = 0;

        await using (var broker = await BrokerProcess.StartAsync(_dataDir))
        {
            var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = broker.Port, AutomaticRecoveryEnabled = false };
            var connection = await factory.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null));
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);

            // Several publishes in flight at once, each recorded when its confirm arrives; the broker
            // is killed while this goes on.
            var kill = Task.Run(async () =>
            {
                while (confirmed.Count < TargetConfirmed)
                {
                    await Task.Delay(5);
                }

                await broker.KillAsync();
            });

            var publishers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
            {
                while (!kill.IsCompleted)
                {
                    var n = Interlocked.Increment(ref attempted);
                    try
                    {
                        await channel.BasicPublishAsync(string.Empty, queue, mandatory: false, new BasicProperties { Persistent = true }, Encoding.ASCII.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                        confirmed[n] = true;
                    }
                    catch (Exception)
                    {
                        return;
                    }
                }
            })).ToArray();

            await kill.WaitAsync(TimeSpan.FromSeconds(120));
            await Task.WhenAll(publishers).WaitAsync(TimeSpan.FromSeconds(60));
            try
            {
                await connection.DisposeAsync();
            }
            catch (Exception)
            {
                // The broker is gone; the client may complain while closing.
            }
        }

        Assert.True(confirmed.Count >= TargetConfirmed, $"only {confirmed.Count} confirmed before the kill");

        await using (var broker = await BrokerProcess.StartAsync(_dataDir))
        {
            var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = broker.Port, AutomaticRecoveryEnabled = false };
            await using var connection = await factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            var seen = new Dictionary<int, int>();
            while (await channel.BasicGetAsync(queue, autoAck: true) is { } got)
            {
                var n = int.Parse(Encoding.ASCII.GetString(got.Body.Span), System.Globalization.CultureInfo.InvariantCulture);
                seen[n] = seen.GetValueOrDefault(n) + 1;
            }

            var lost = confirmed.Keys.Where(n => !seen.ContainsKey(n)).OrderBy(n => n).Take(10).ToList();
            Assert.True(lost.Count == 0, $"confirmed but lost: {string.Join(", ", lost)} ({confirmed.Keys.Count(n => !seen.ContainsKey(n))} in all)");
            var duplicated = seen.Where(s => s.Value > 1).Select(s => s.Key).Take(10).ToList();
            Assert.True(duplicated.Count == 0, $"delivered more than once: {string.Join(", ", duplicated)}");
            var invented = seen.Keys.Where(n => n < 1 || n > attempted).ToList();
            Assert.Empty(invented);
        }
    }
}
