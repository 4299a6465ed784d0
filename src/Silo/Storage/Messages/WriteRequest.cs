using OrleansBroker.Grains.Storage;

namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>
/// Work handed to the writer loop. Requests are applied in the order they were enqueued, which is what
/// makes a removal always follow the append it removes in the file.
/// </summary>
internal abstract class WriteRequest
{
    /// <summary>Completed once the request's records are fsynced; null for what is written behind.</summary>
    public TaskCompletionSource? Durable { get; init; }

    protected static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Append messages of one queue. Their memory must stay unchanged until the completion.</summary>
internal sealed class AppendRequest : WriteRequest
{
    public AppendRequest(string queue, ReadOnlyMemory<StoredMessage> messages)
    {
        Queue = queue;
        Messages = messages;
        Durable = NewCompletion();
    }

    public string Queue { get; }

    public ReadOnlyMemory<StoredMessage> Messages { get; }
}

/// <summary>Mark messages delivered or removed; written behind. <see cref="Ids"/> is rented from the shared array pool.</summary>
internal sealed class MarkRequest(RecordType type, string queue, ulong[] ids, int count) : WriteRequest
{
    public RecordType Type { get; } = type;

    public string Queue { get; } = queue;

    public ulong[] Ids { get; } = ids;

    public int Count { get; } = count;
}

internal sealed class DeleteQueueRequest : WriteRequest
{
    public DeleteQueueRequest(string queue)
    {
        Queue = queue;
        Durable = NewCompletion();
    }

    public string Queue { get; }
}

/// <summary>Everything before it written, fsynced, and space reclaimed: for shutdown and tests.</summary>
internal sealed class FlushRequest : WriteRequest
{
    public FlushRequest() => Durable = NewCompletion();
}
