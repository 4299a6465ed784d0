namespace OrleansBroker.Silo.Storage.Serialization;

/// <summary>
/// Stored grain state that cannot be read back: not JSON, a format version this broker does not know, or a shape
/// that does not fit the state type. The message says which; the storage provider adds which grain and state.
/// </summary>
public sealed class GrainStateFormatException : Exception
{
    public GrainStateFormatException(string message)
        : base(message)
    {
    }

    public GrainStateFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
