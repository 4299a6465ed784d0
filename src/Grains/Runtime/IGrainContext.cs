namespace OrleansBroker.Grains.Runtime;

/// <summary>What the runtime tells an activation about itself and lets it ask for.</summary>
public interface IGrainContext
{
    string GrainKey { get; }

    IGrainFactory GrainFactory { get; }

    /// <summary>Ask the runtime to deactivate this activation once the current turn ends.</summary>
    void DeactivateOnIdle();

    /// <summary>
    /// A timer whose callback runs as a turn of this activation (never concurrently with a call).
    /// Disposing the handle stops it; deactivation stops it too.
    /// </summary>
    IDisposable RegisterTimer(Func<ValueTask> callback, TimeSpan dueTime, TimeSpan period);
}
