using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Tests.Grains;

/// <summary>
/// A channel's end of its consumers as a test sees it: an <see cref="IConsumerObserver"/> that records what queues
/// send it, in arrival order, and lets the test wait (boundedly) for it. <see cref="Reference"/> is what the queue
/// is given; it is made through a silo's grain factory (as a gateway in the silo does) or the cluster client.
/// </summary>
public sealed class RecordingConsumer : IConsumerObserver
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly object _gate = new();
    private readonly List<Delivery> _deliveries = new();
    private readonly List<DeliveryBatch> _batches = new();
    private readonly List<ConsumerCancellation> _cancellations = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RecordingConsumer(IGrainFactory factory)
    {
        // Orleans holds the object weakly: this recorder keeps it alive as long as the test holds the recorder.
        Reference = factory.CreateObjectReference<IConsumerObserver>(this);
    }

    public IConsumerObserver Reference { get; }

    public IReadOnlyList<Delivery> Deliveries
    {
        get
        {
            lock (_gate)
            {
                return _deliveries.ToArray();
            }
        }
    }

    public IReadOnlyList<DeliveryBatch> Batches
    {
        get
        {
            lock (_gate)
            {
                return _batches.ToArray();
            }
        }
    }

    public static RecordingConsumer Create(IGrainFactory factory) => new(factory);

    Task IConsumerObserver.Deliver(DeliveryBatch batch)
    {
        lock (_gate)
        {
            _batches.Add(batch);
            _deliveries.AddRange(batch.Deliveries);
            Changed();
        }

        return Task.CompletedTask;
    }

    Task IConsumerObserver.ConsumerCancelled(string queue, string consumerTag, long delivered)
    {
        lock (_gate)
        {
            _cancellations.Add(new ConsumerCancellation(queue, consumerTag, delivered));
            Changed();
        }

        return Task.CompletedTask;
    }

    /// <summary>The first <paramref name="count"/> deliveries, once that many arrived (more may follow).</summary>
    public async Task<IReadOnlyList<Delivery>> WaitForDeliveriesAsync(int count)
    {
        await WaitUntilAsync(() => _deliveries.Count >= count, () => $"{count} deliveries; {_deliveries.Count} arrived");
        lock (_gate)
        {
            return _deliveries.Take(count).ToArray();
        }
    }

    public async Task<ConsumerCancellation> WaitForCancellationAsync()
    {
        await WaitUntilAsync(() => _cancellations.Count > 0, () => "a consumer cancellation");
        lock (_gate)
        {
            return _cancellations[0];
        }
    }

    private async Task WaitUntilAsync(Func<bool> condition, Func<string> awaited)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (condition())
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    throw new TimeoutException($"Waited {Patience.TotalSeconds} s for {awaited()}.");
                }
            }
        }
    }

    /// <summary>Wake the waiters; called under the lock.</summary>
    private void Changed()
    {
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>What <see cref="IConsumerObserver.ConsumerCancelled"/> told the channel.</summary>
public sealed record ConsumerCancellation(string Queue, string ConsumerTag, long Delivered);
