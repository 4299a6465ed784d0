using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Silo.Runtime;

/// <summary>What the runtime sees of an activation through the <see cref="IGrainContext"/> its grain was given.</summary>
internal interface IActivationContext : IGrainContext
{
    GrainRuntime Runtime { get; }

    /// <summary>Have this state read before <c>OnActivateAsync</c>. Only while the grain is being constructed.</summary>
    void AddState(IActivationState state);
}
