namespace OrleansBroker.Grains.Runtime;

/// <summary>
/// Base type of every grain, shaped like Orleans' <c>Grain</c> so grains can move onto Orleans by
/// swapping this base type. A grain never touches sockets, files or SQL: it reaches other grains
/// through <see cref="GrainFactory"/> and its own storage through an <see cref="IPersistentState{TState}"/>.
/// </summary>
public abstract class Grain
{
    protected Grain(IGrainContext context)
    {
        Context = context;
    }

    protected IGrainContext Context { get; }

    protected IGrainFactory GrainFactory => Context.GrainFactory;

    protected string GrainKey => Context.GrainKey;

    public virtual ValueTask OnActivateAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public virtual ValueTask OnDeactivateAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    protected void DeactivateOnIdle() => Context.DeactivateOnIdle();

    protected IDisposable RegisterTimer(Func<ValueTask> callback, TimeSpan dueTime, TimeSpan period) =>
        Context.RegisterTimer(callback, dueTime, period);
}
