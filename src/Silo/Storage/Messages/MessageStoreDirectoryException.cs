namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>The message store's directory cannot be used: it cannot be created, written, or is held by another open store.</summary>
public sealed class MessageStoreDirectoryException : IOException
{
    public MessageStoreDirectoryException(string directory, string problem, Exception? innerException = null)
        : base($"Message store directory '{directory}' is not usable: {problem}", innerException) => Directory = directory;

    public string Directory { get; }
}
