namespace OrleansBroker.Grains.Runtime;

/// <summary>
/// The persistent state of one grain activation, shaped like Orleans' <c>IPersistentState&lt;T&gt;</c>:
/// the runtime reads it before <see cref="Grain.OnActivateAsync"/>; the grain writes or clears it
/// explicitly when its state changes.
/// </summary>
public interface IPersistentState<TState> where TState : class, new()
{
    TState State { get; set; }

    /// <summary>True when the storage holds a record for this grain.</summary>
    bool RecordExists { get; }

    Task ReadStateAsync();

    Task WriteStateAsync();

    Task ClearStateAsync();
}
