namespace OrleansBroker.Grains.Routing;

/// <summary>
/// Receives the values of the bindings a routing key matches in a <see cref="TopicTrie{TValue}"/>.
/// A value can arrive more than once (several binding keys, or several paths through '#', reach it);
/// deduplicating is the sink's job. Usually a ref struct, so matching allocates nothing.
/// </summary>
internal interface ITopicMatchSink<TValue>
{
    void Add(TValue value);
}
