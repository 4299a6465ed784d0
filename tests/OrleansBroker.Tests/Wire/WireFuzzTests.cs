using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Infrastructure.RawAmqp;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace OrleansBroker.Tests.Wire;

/// <summary>
/// Random byte strings and mutated valid frames from 20 concurrent connections, a bounded number of inputs in a
/// bounded time; afterwards a bystander opened before the storm and a fresh RabbitMQ.Client connection must
/// both work. The RNG is seeded; the seed is printed and ORLEANSBROKER_WIRE_FUZZ_SEED replays a run.
/// </summary>
public sealed class WireFuzzTests(BrokerFixture fixture, ITestOutputHelper output) : IClassFixture<BrokerFixture>
{
    public const string SeedVariable = "ORLEANSBROKER_WIRE_FUZZ_SEED";

    private const int Workers = 20;
    private const int InputBudget = 5000;
    private static readonly TimeSpan FuzzDuration = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(5);

    // Every name a fuzzed frame starts from; the test deletes them afterwards in case a mutation declared one.
    private static readonly string[] FuzzNames = ["wire-fuzz-q", "wire-fuzz-none", "wire-fuzz-x"];

    [Fact]
    public async Task Random_and_mutated_input_on_20_connections_leaves_the_broker_serving_other_clients()
    {
        var seedText = Environment.GetEnvironmentVariable(SeedVariable);
        var seed = string.IsNullOrEmpty(seedText) ? Random.Shared.Next() : int.Parse(seedText, System.Globalization.CultureInfo.InvariantCulture);
        var replay = $"fuzz seed {seed} (replay with {SeedVariable}={seed})";
        output.WriteLine(replay);

        await using var bystander = await Bystander.OpenAsync(fixture);
        var stats = new FuzzStats();
        var watch = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(() => WorkerAsync(fixture, seed, worker, stats, watch))));
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{replay}: {e.Message}", e);
        }

        output.WriteLine($"{stats} in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(stats.ConnectFailures == 0, $"{replay}: {stats}");
        Assert.True(stats.HandshakeFailures == 0, $"{replay}: a well-behaved handshake failed during the storm: {stats}");
        Assert.True(stats.Inputs >= 200, $"{replay}: too few inputs sent to mean anything: {stats}");

        await bystander.AssertRoundTripAsync();

        await using var connection = await fixture.ConnectAsync("wire-fuzz-after");
        await using var channel = await connection.CreateChannelAsync();
        var queue = await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true);
        var body = Encoding.UTF8.GetBytes($"after the storm {seed}");
        await channel.BasicPublishAsync(string.Empty, queue.QueueName, body);
        var got = await channel.BasicGetAsync(queue.QueueName, autoAck: true);
        Assert.True(got is not null, $"{replay}: basic.get after the storm found nothing");
        Assert.Equal(body, got.Body.ToArray());

        foreach (var name in FuzzNames)
        {
            await channel.QueueDeleteAsync(name);
        }
    }

    private static async Task WorkerAsync(BrokerFixture target, int seed, int worker, FuzzStats stats, Stopwatch watch)
    {
        var rng = new Random(unchecked(seed * 7919 + worker));
        var session = 0;
        while (watch.Elapsed < FuzzDuration && Volatile.Read(ref stats.Inputs) < InputBudget)
        {
            session++;
            try
            {
                await SessionAsync(target, rng, stats);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"worker {worker} session {session}: {e.Message}", e);
            }
        }
    }

    private static async Task SessionAsync(BrokerFixture target, Random rng, FuzzStats stats)
    {
        RawAmqpConnection connection;
        try
        {
            connection = await RawAmqpConnection.ConnectAsync(target, StepTimeout);
        }
        catch (Exception e) when (IsIo(e))
        {
            Interlocked.Increment(ref stats.ConnectFailures);
            return;
        }

        await using var _ = connection;
        Interlocked.Increment(ref stats.Sessions);
        var mode = rng.Next(10);
        if (mode < 2)
        {
            // Garbage where the protocol header belongs.
            var garbage = RandomBytes(rng, 1, 64);
            if (rng.Next(2) == 0)
            {
                garbage = [.. "AMQP"u8, .. garbage];
            }

            await SendInputAsync(connection, garbage, stats);
            await DrainHeaderReplyAsync(connection, rng);
            return;
        }
        else if (mode < 4)
        {
            // A valid header, then garbage or a mutated start-ok before authentication.
            if (!await TrySendAsync(connection, Frames.ProtocolHeader) || !await ExpectAsync(connection, 10, 10, stats))
            {
                return;
            }

            var startOk = Frames.StartOk("PLAIN", Frames.PlainResponse("guest", "guest"));
            await SendInputAsync(connection, rng.Next(3) == 0 ? RandomBytes(rng, 1, 200) : Mutate(rng, startOk), stats);
        }
        else
        {
            // A full handshake, a channel, then a few frames: mutated, random or valid to move the state on.
            if (!await HandshakeAsync(connection, stats))
            {
                return;
            }

            var count = rng.Next(1, 6);
            for (var i = 0; i < count; i++)
            {
                var valid = Corpus(rng);
                var input = rng.Next(6) switch
                {
                    0 => valid,
                    1 => RandomBytes(rng, 1, 100),
                    _ => Mutate(rng, valid),
                };
                if (!await SendInputAsync(connection, input, stats))
                {
                    break;
                }
            }
        }

        await DrainAsync(connection, rng);
    }

    private static async Task<bool> HandshakeAsync(RawAmqpConnection connection, FuzzStats stats)
    {
        if (!await TrySendAsync(connection, Frames.ProtocolHeader) || !await ExpectAsync(connection, 10, 10, stats))
        {
            return false;
        }

        if (!await TrySendAsync(connection, Frames.StartOk("PLAIN", Frames.PlainResponse("guest", "guest"))) || !await ExpectAsync(connection, 10, 30, stats))
        {
            return false;
        }

        if (!await TrySendAsync(connection, Frames.Concat(Frames.TuneOk(2047, 131072, 0), Frames.ConnectionOpen("/"), Frames.ChannelOpen(1))))
        {
            return false;
        }

        return await ExpectAsync(connection, 10, 41, stats) && await ExpectAsync(connection, 20, 11, stats);
    }

    /// <summary>Reads the next method; a timeout or close before a well-formed step is a handshake failure.</summary>
    private static async Task<bool> ExpectAsync(RawAmqpConnection connection, ushort classId, ushort methodId, FuzzStats stats)
    {
        try
        {
            var frame = await connection.ReadNonHeartbeatAsync(StepTimeout);
            Assert.True(frame.Is(classId, methodId), $"expected method {classId}.{methodId} in a clean handshake, got {frame}");
            return true;
        }
        catch (Exception e) when (IsIo(e))
        {
            Interlocked.Increment(ref stats.HandshakeFailures);
            return false;
        }
    }

    private static async Task<bool> SendInputAsync(RawAmqpConnection connection, byte[] input, FuzzStats stats)
    {
        Interlocked.Increment(ref stats.Inputs);
        return await TrySendAsync(connection, input);
    }

    private static Task<bool> TrySendAsync(RawAmqpConnection connection, byte[] bytes) => connection.TrySendAsync(bytes, StepTimeout);

    /// <summary>Reads what the server says for a short while; whatever it sends must be well-framed.</summary>
    private static async Task DrainAsync(RawAmqpConnection connection, Random rng)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMilliseconds(rng.Next(20, 200));
        try
        {
            while (DateTime.UtcNow < until)
            {
                var frame = await connection.ReadFrameAsync(until - DateTime.UtcNow);
                if (frame.Is(10, 50) && rng.Next(2) == 0)
                {
                    await connection.TrySendAsync(Frames.ConnectionCloseOk());
                }
            }
        }
        catch (Exception e) when (IsIo(e) || e is ArgumentOutOfRangeException)
        {
        }
    }

    /// <summary>After a bad protocol header the server may send its own header, and nothing else.</summary>
    private static async Task DrainHeaderReplyAsync(RawAmqpConnection connection, Random rng)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMilliseconds(rng.Next(20, 200));
        var received = new List<byte>();
        try
        {
            while (DateTime.UtcNow < until && received.Count < Frames.ProtocolHeader.Length)
            {
                received.AddRange(await connection.ReadExactlyAsync(1, until - DateTime.UtcNow));
            }
        }
        catch (Exception e) when (IsIo(e) || e is ArgumentOutOfRangeException)
        {
        }

        Assert.True(
            Frames.ProtocolHeader.AsSpan().StartsWith(received.ToArray()),
            $"after a bad protocol header the server sent {RawAmqpConnection.Hex(received.ToArray())}");
    }

    private static bool IsIo(Exception e) =>
        e is TimeoutException or ServerClosedException or SocketException or IOException or OperationCanceledException or ObjectDisposedException;

    private static byte[] RandomBytes(Random rng, int min, int max)
    {
        var bytes = new byte[rng.Next(min, max + 1)];
        rng.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Valid frames on channel 1 that create nothing lasting (or only names the test deletes).</summary>
    private static byte[] Corpus(Random rng) => rng.Next(12) switch
    {
        0 => Frames.QueueDeclare(1, "wire-fuzz-q", passive: true),
        1 => Frames.QueueDeclare(1, "wire-fuzz-q", exclusive: true),
        2 => Frames.Publish(1, string.Empty, "wire-fuzz-none", Encoding.ASCII.GetBytes("fuzz")),
        3 => Frames.BasicGet(1, "wire-fuzz-none"),
        4 => Frames.Method(1, 60, 10, new ArgWriter().Long(0).Short(10).Bit(false)),
        5 => Frames.ConfirmSelect(1),
        6 => Frames.TxSelect(1),
        7 => Frames.ExchangeDeclare(1, "amq.direct", "direct", passive: true),
        8 => Frames.Heartbeat(),
        9 => Frames.ChannelClose(1),
        10 => Frames.ChannelOpen(1),
        _ => Frames.ChannelFlow(1, active: true),
    };

    private static byte[] Mutate(Random rng, byte[] frame)
    {
        var m = frame.ToArray();
        switch (rng.Next(9))
        {
            case 0:
                for (var i = rng.Next(1, 3); i > 0; i--)
                {
                    m[rng.Next(m.Length)] ^= (byte)rng.Next(1, 256);
                }

                return m;
            case 1:
                return m[..rng.Next(1, m.Length)];
            case 2:
                {
                    var size = BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan(3));
                    var wrong = rng.Next(4) == 0 ? (uint)rng.NextInt64(0, uint.MaxValue + 1L) : (uint)Math.Max(0, size + rng.Next(-10, 11));
                    BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(3), wrong);
                    return m;
                }

            case 3:
                if (m.Length >= 11 && m[0] == FrameType.Method)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(7), (ushort)(rng.Next(3) == 0 ? rng.Next(65536) : rng.Next(0, 100)));
                    BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(9), (ushort)(rng.Next(3) == 0 ? rng.Next(65536) : rng.Next(0, 120)));
                }

                return m;
            case 4:
                m[0] = (byte)rng.Next(256);
                return m;
            case 5:
                BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(1), (ushort)(rng.Next(2) == 0 ? rng.Next(65536) : rng.Next(0, 4)));
                return m;
            case 6:
                m[^1] = (byte)rng.Next(256);
                return m;
            case 7:
                return [.. m, .. RandomBytes(rng, 1, 32)];
            default:
                return [.. m, .. m];
        }
    }

    private sealed class FuzzStats
    {
        public int Sessions;
        public int Inputs;
        public int ConnectFailures;
        public int HandshakeFailures;

        public override string ToString() =>
            $"{Sessions} connections, {Inputs} inputs, {ConnectFailures} connect failures, {HandshakeFailures} handshake failures";
    }
}
