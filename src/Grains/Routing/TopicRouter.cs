using System.Buffers;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

/// <summary>
/// Topic exchange: binding keys in a <see cref="TopicTrie{TValue}"/>. The trie yields dense indexes
/// into the destination array, so one bit per destination (on the stack) removes the duplicates that
/// overlapping patterns produce.
/// </summary>
internal sealed class TopicRouter : ExchangeRouter
{
    // 256 words = 16384 destinations in 2 KiB of stack; bigger routers rent their bitmap.
    private const int StackBitmapWords = 256;

    private readonly BindingDestination[] _destinations;
    private readonly TopicTrie<int> _trie;

    public TopicRouter(IReadOnlyCollection<Binding> bindings)
    {
        var indexes = new Dictionary<BindingDestination, int>();
        var destinations = new List<BindingDestination>();
        var keys = new List<KeyValuePair<string, int>>(bindings.Count);
        foreach (var binding in bindings)
        {
            if (!indexes.TryGetValue(binding.Destination, out var index))
            {
                index = destinations.Count;
                indexes.Add(binding.Destination, index);
                destinations.Add(binding.Destination);
            }

            keys.Add(new KeyValuePair<string, int>(binding.RoutingKey, index));
        }

        _destinations = destinations.ToArray();
        _trie = new TopicTrie<int>(keys);
    }

    public override void Route(Message message, List<BindingDestination> destinations)
    {
        if (_destinations.Length == 0)
        {
            return;
        }

        var words = (_destinations.Length + 63) >> 6;
        ulong[]? rented = null;
        // stackalloc memory starts zeroed; a rented array has to be cleared.
        Span<ulong> seen = words <= StackBitmapWords ? stackalloc ulong[words] : (rented = ArrayPool<ulong>.Shared.Rent(words)).AsSpan(0, words);
        if (rented is not null)
        {
            seen.Clear();
        }

        try
        {
            var collector = new DestinationCollector(_destinations, seen, destinations);
            _trie.Match(message.RoutingKey, ref collector);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<ulong>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Appends each matched destination the first time it is reached.</summary>
    private ref struct DestinationCollector : ITopicMatchSink<int>
    {
        private readonly BindingDestination[] _destinations;
        private readonly Span<ulong> _seen;
        private readonly List<BindingDestination> _output;

        public DestinationCollector(BindingDestination[] destinations, Span<ulong> seen, List<BindingDestination> output)
        {
            _destinations = destinations;
            _seen = seen;
            _output = output;
        }

        public void Add(int index)
        {
            ref var word = ref _seen[index >> 6];
            var bit = 1UL << (index & 63);
            if ((word & bit) == 0)
            {
                word |= bit;
                _output.Add(_destinations[index]);
            }
        }
    }
}
