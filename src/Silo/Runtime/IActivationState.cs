namespace OrleansBroker.Silo.Runtime;

/// <summary>A persistent state an activation reads before <c>OnActivateAsync</c>.</summary>
internal interface IActivationState
{
    Task ReadStateAsync();
}
