using System.Threading.Channels;
using OrleansBroker.Client;

namespace OrleansBroker.Tests.AppApi;

/// <summary>
/// An <see cref="IDeliveryObserver"/> that keeps what it is handed, in order, for a test to take (boundedly), and can
/// settle each message as it arrives.
/// </summary>
public sealed class RecordingObserver : IDeliveryObserver
{
    private readonly Channel<DeliveredMessage> _messages = Channel.CreateUnbounded<DeliveredMessage>();

    /// <summary>Runs for each message after it was recorded (to ack it, or to fail).</summary>
    public Func<DeliveredMessage, Task>? OnDelivery { get; init; }

    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task OnDeliveryAsync(DeliveredMessage message, CancellationToken cancellationToken)
    {
        await _messages.Writer.WriteAsync(message, cancellationToken);
        if (OnDelivery is { } handler)
        {
            await handler(message);
        }
    }

    public Task OnCancelledAsync()
    {
        Cancelled.TrySetResult();
        return Task.CompletedTask;
    }

    /// <summary>The next <paramref name="count"/> messages, or a TimeoutException.</summary>
    public async Task<List<DeliveredMessage>> TakeAsync(int count)
    {
        using var timeout = new CancellationTokenSource(AppApiBroker.Timeout);
        var taken = new List<DeliveredMessage>(count);
        try
        {
            while (taken.Count < count)
            {
                taken.Add(await _messages.Reader.ReadAsync(timeout.Token));
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{taken.Count} of {count} messages arrived within {AppApiBroker.Timeout}");
        }

        return taken;
    }
}
