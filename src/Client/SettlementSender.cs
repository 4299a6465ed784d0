using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;

namespace OrleansBroker.Client;

/// <summary>
/// Sends one consumer's settlements and credit to its queue with at most one call in flight: what is settled while a
/// call is on its way rides the next one, so a busy consumer settles in batches (as an AMQP channel does per read)
/// without waiting on a timer. The credit goes with each call, worked out as it leaves, so it counts every settlement
/// made until then.
/// </summary>
internal sealed class SettlementSender(IQueueGrain queue, string channelId, Func<CreditGrant[]> creditNow)
{
    private readonly object _gate = new();
    private readonly List<Settlement> _pending = new();

    // Completes when the call carrying what is pending now has been taken by the queue; null when nothing waits.
    private TaskCompletionSource? _next;

    // The call sent last (it may still be on its way).
    private Task _sent = Task.CompletedTask;
    private bool _sending;

    /// <summary>Settle a message; completes when the queue took it.</summary>
    public Task SendAsync(Settlement settlement) => Enqueue([settlement]);

    /// <summary>Settle these messages; completes when the queue took them.</summary>
    public Task SendAsync(IReadOnlyCollection<Settlement> settlements) => Enqueue(settlements);

    /// <summary>Send these settlements, and whatever credit is due, for nobody to wait: a failure (the queue is gone) is dropped.</summary>
    public void SendInBackground(IReadOnlyCollection<Settlement> settlements) =>
        Enqueue(settlements).ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);

    /// <summary>Completes once every settlement given so far was sent; fails as the last call failed.</summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            return _next?.Task ?? _sent;
        }
    }

    private Task Enqueue(IReadOnlyCollection<Settlement> settlements)
    {
        Task carried;
        lock (_gate)
        {
            _pending.AddRange(settlements);
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            carried = _next.Task;
            if (_sending)
            {
                return carried;
            }

            _sending = true;
        }

        _ = SendPendingAsync();
        return carried;
    }

    private async Task SendPendingAsync()
    {
        while (true)
        {
            Settlement[] settlements;
            TaskCompletionSource done;
            lock (_gate)
            {
                if (_next is null)
                {
                    _sending = false;
                    return;
                }

                done = _next;
                _next = null;
                _sent = done.Task;
                settlements = _pending.ToArray();
                _pending.Clear();
            }

            try
            {
                var credits = creditNow();
                if (settlements.Length > 0 || credits.Length > 0)
                {
                    await queue.Settle(new SettlementBatch(channelId, settlements, credits));
                }

                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        }
    }
}
