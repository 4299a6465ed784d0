namespace OrleansBroker.Silo.Storage.AdoNet;

/// <summary>
/// A durable grain storage provider that cannot do its job: its database cannot be opened or migrated (the message names
/// the path or server), an operation failed, or a stored row cannot be read back (the message names the state and grain).
/// The cause, when there is one, is the inner exception.
/// </summary>
public sealed class GrainStorageException : Exception
{
    public GrainStorageException(string message)
        : base(message)
    {
    }

    public GrainStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
