namespace OrleansBroker.Grains.Runtime;

/// <summary>
/// Marker for an object outside the grain world that grains call back, as Orleans' grain observers.
/// In this single-process runtime observer calls are direct calls; an observer method must return
/// quickly and must not call back into the grain that called it.
/// </summary>
public interface IGrainObserver
{
}
