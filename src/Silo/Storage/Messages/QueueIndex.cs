namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>The live messages of one queue, by message id. Guarded by the index's lock.</summary>
internal sealed class QueueIndex(string key)
{
    public string Key { get; } = key;

    public Dictionary<ulong, MessageLocation> Messages { get; } = [];
}
