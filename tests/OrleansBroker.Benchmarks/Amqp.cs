using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrleansBroker.Benchmarks;

public static class Amqp
{
    public static ConnectionFactory Factory(Target target, string name) => new()
    {
        Uri = target.Uri,
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
        ClientProvidedName = name,
        RequestedConnectionTimeout = TimeSpan.FromSeconds(30),
        ContinuationTimeout = TimeSpan.FromSeconds(60),
        HandshakeContinuationTimeout = TimeSpan.FromSeconds(30),
    };

    public static Task<IConnection> ConnectAsync(Target target, string name, CancellationToken ct = default) =>
        Factory(target, name).CreateConnectionAsync(ct);

    public static string UniqueName(string scenario) => $"bench-{scenario}-{Guid.NewGuid():N}"[..40];

    public static byte[] Body(int size)
    {
        var body = new byte[size];
        for (var i = 0; i < size; i++)
        {
            body[i] = (byte)('a' + (i % 26));
        }

        return body;
    }

    /// <summary>Closes without throwing: teardown must not hide the measurement.</summary>
    public static async Task CloseQuietlyAsync(IConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            await connection.CloseAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
        }

        connection.Dispose();
    }
}

public enum AckMode
{
    Auto,
    Each,
    Multiple,
}

/// <summary>Counts deliveries, acknowledges them (each, or multiple every N) and signals when a count is reached.</summary>
public sealed class CountingConsumer(IChannel channel, AckMode mode, int multipleEvery = 100) : AsyncDefaultBasicConsumer(channel)
{
    private readonly Lock _gate = new();
    private long _count;
    private long _checkpoint = long.MaxValue;
    private TaskCompletionSource<long>? _reached;

    /// <summary>Called for each delivery with its body and its 1-based ordinal (before the ack).</summary>
    public Action<ReadOnlyMemory<byte>, long>? OnDelivery { get; init; }

    public long Count => Interlocked.Read(ref _count);

    public long Redelivered { get; private set; }

    /// <summary>Completes with the Stopwatch timestamp at which the <paramref name="count"/>th delivery was handled.</summary>
    public Task<long> WhenCountAsync(long count)
    {
        lock (_gate)
        {
            if (Count >= count)
            {
                return Task.FromResult(Stopwatch.GetTimestamp());
            }

            _checkpoint = count;
            _reached = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _reached.Task;
        }
    }

    protected override Task OnCancelAsync(string[] consumerTags, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public override async Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange,
        string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        var n = Interlocked.Increment(ref _count);
        if (redelivered)
        {
            Redelivered++;
        }

        OnDelivery?.Invoke(body, n);
        TaskCompletionSource<long>? reached = null;
        bool atCheckpoint;
        lock (_gate)
        {
            atCheckpoint = n == _checkpoint;
            if (n >= _checkpoint && _reached is not null)
            {
                reached = _reached;
                _reached = null;
                _checkpoint = long.MaxValue;
            }
        }

        switch (mode)
        {
            case AckMode.Each:
                await Channel.BasicAckAsync(deliveryTag, false, cancellationToken);
                break;
            case AckMode.Multiple when n % multipleEvery == 0 || atCheckpoint:
                await Channel.BasicAckAsync(deliveryTag, true, cancellationToken);
                break;
        }

        reached?.TrySetResult(Stopwatch.GetTimestamp());
    }
}

/// <summary>
/// Publisher confirms without the client's own tracking: a window of <c>size</c> unconfirmed publishes, released by
/// basic.ack / basic.nack (single or multiple) as the broker sends them.
/// </summary>
public sealed class ConfirmWindow
{
    private readonly SemaphoreSlim _slots;
    private readonly Lock _gate = new();
    private ulong _lowestUnconfirmed = 1;
    private readonly SortedSet<ulong> _confirmedAhead = [];
    private long _settled;
    private long _nacked;
    private long _checkpoint = long.MaxValue;
    private TaskCompletionSource<long>? _reached;

    public ConfirmWindow(IChannel channel, int size)
    {
        _slots = new SemaphoreSlim(size, int.MaxValue);
        channel.BasicAcksAsync += (_, e) => Settle(e.DeliveryTag, e.Multiple, nack: false);
        channel.BasicNacksAsync += (_, e) => Settle(e.DeliveryTag, e.Multiple, nack: true);
    }

    public long Settled => Interlocked.Read(ref _settled);

    public long Nacked => Interlocked.Read(ref _nacked);

    /// <summary>Waits for room in the window, then counts one publish (call just before basic.publish).</summary>
    public async ValueTask BeforePublishAsync(CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
    }

    /// <summary>Completes with the Stopwatch timestamp at which <paramref name="count"/> publishes were settled (acked or nacked).</summary>
    public Task<long> WhenSettledAsync(long count)
    {
        lock (_gate)
        {
            if (_settled >= count)
            {
                return Task.FromResult(Stopwatch.GetTimestamp());
            }

            _checkpoint = count;
            _reached = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _reached.Task;
        }
    }

    private Task Settle(ulong tag, bool multiple, bool nack)
    {
        var newlySettled = 0;
        TaskCompletionSource<long>? reached = null;
        lock (_gate)
        {
            if (multiple)
            {
                // Everything up to tag not yet settled is settled now.
                if (tag >= _lowestUnconfirmed)
                {
                    var span = (long)(tag - _lowestUnconfirmed + 1);
                    var already = _confirmedAhead.GetViewBetween(_lowestUnconfirmed, tag).Count;
                    newlySettled = (int)(span - already);
                    _confirmedAhead.RemoveWhere(t => t <= tag);
                    _lowestUnconfirmed = tag + 1;
                }
            }
            else if (tag >= _lowestUnconfirmed && _confirmedAhead.Add(tag))
            {
                newlySettled = 1;
                while (_confirmedAhead.Remove(_lowestUnconfirmed))
                {
                    _lowestUnconfirmed++;
                }
            }

            _settled += newlySettled;
            if (nack)
            {
                _nacked += newlySettled;
            }

            if (_settled >= _checkpoint && _reached is not null)
            {
                reached = _reached;
                _reached = null;
                _checkpoint = long.MaxValue;
            }
        }

        if (newlySettled > 0)
        {
            _slots.Release(newlySettled);
        }

        reached?.TrySetResult(Stopwatch.GetTimestamp());
        return Task.CompletedTask;
    }
}
