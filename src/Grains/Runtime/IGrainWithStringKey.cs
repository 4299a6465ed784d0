namespace OrleansBroker.Grains.Runtime;

/// <summary>
/// Marker for a grain interface addressed by a string key, as in Orleans. Every method of a grain
/// interface returns <see cref="ValueTask"/> or <see cref="ValueTask{TResult}"/> and is executed
/// as one turn of the activation: the runtime never runs two calls of one activation at once.
/// </summary>
public interface IGrainWithStringKey
{
}
