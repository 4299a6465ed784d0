namespace OrleansBroker.Grains.Routing;

/// <summary>
/// Topic binding keys as a trie over dot-separated words, matched the way RabbitMQ's topic exchange
/// matches them: '*' is exactly one word, '#' zero or more words, any other word matches itself.
/// Keys split on every '.', so empty words count ("a..b" is three words, "a." two, "" none).
/// In a routing key '*' and '#' are ordinary words: they match a binding's wildcard or the same
/// literal word, never stand for other words. Immutable once built, so any number of threads match
/// at once without locks.
/// </summary>
internal sealed class TopicTrie<TValue>
{
    private readonly Node _root = new();

    /// <param name="bindings">Binding key and the value a match yields; a key may repeat.</param>
    public TopicTrie(IEnumerable<KeyValuePair<string, TValue>> bindings)
    {
        foreach (var (bindingKey, value) in bindings)
        {
            var node = Insert(bindingKey);
            (node.Pending ??= []).Add(value);
        }

        _root.Freeze();
    }

    /// <summary>Hands <paramref name="sink"/> the value of every binding <paramref name="routingKey"/> matches.</summary>
    public void Match<TSink>(string routingKey, ref TSink sink)
        where TSink : ITopicMatchSink<TValue>, allows ref struct
    {
        MatchFrom(_root, routingKey, FirstWordStart(routingKey), ref sink);
    }

    // A position in a key is the index where the next word starts; past the end (key.Length + 1)
    // means no words are left. An empty key has no words; a key ending in '.' ends with an empty word.
    private static int FirstWordStart(string key) => key.Length == 0 ? 1 : 0;

    private static int WordEnd(string key, int start)
    {
        var dot = key.AsSpan(start).IndexOf('.');
        return dot < 0 ? key.Length : start + dot;
    }

    private Node Insert(string bindingKey)
    {
        var node = _root;
        var previousWasHash = false;
        for (var start = FirstWordStart(bindingKey); start <= bindingKey.Length;)
        {
            var end = WordEnd(bindingKey, start);
            var word = bindingKey.AsSpan(start, end - start);
            start = end + 1;

            if (word is "#")
            {
                // "#.#" matches exactly what "#" matches; one node keeps matching linear.
                if (!previousWasHash)
                {
                    node = node.Hash ??= new Node();
                }

                previousWasHash = true;
                continue;
            }

            previousWasHash = false;
            node = word is "*" ? (node.Star ??= new Node()) : node.GetOrAddChild(word.ToString());
        }

        return node;
    }

    private static void MatchFrom<TSink>(Node node, string key, int start, ref TSink sink)
        where TSink : ITopicMatchSink<TValue>, allows ref struct
    {
        if (start > key.Length)
        {
            Emit(node.Values, ref sink);
            if (node.Hash is { } trailingHash)
            {
                Emit(trailingHash.Values, ref sink); // '#' matching zero words; a '#' never follows a '#'.
            }

            return;
        }

        var end = WordEnd(key, start);
        var next = end + 1;

        if (node.Children is not null && node.ChildLookup.TryGetValue(key.AsSpan(start, end - start), out var child))
        {
            MatchFrom(child, key, next, ref sink);
        }

        if (node.Star is { } star)
        {
            MatchFrom(star, key, next, ref sink);
        }

        if (node.Hash is { } hash)
        {
            if (hash.IsLeaf)
            {
                // A trailing '#' swallows whatever is left, however many words that is.
                Emit(hash.Values, ref sink);
            }
            else
            {
                // '#' takes zero words, then one, then two, ... up to all that are left.
                for (var s = start; ; s = WordEnd(key, s) + 1)
                {
                    MatchFrom(hash, key, s, ref sink);
                    if (s > key.Length)
                    {
                        break;
                    }
                }
            }
        }
    }

    private static void Emit<TSink>(TValue[] values, ref TSink sink)
        where TSink : ITopicMatchSink<TValue>, allows ref struct
    {
        foreach (var value in values)
        {
            sink.Add(value);
        }
    }

    /// <summary>Mutable only while the trie is being built; <see cref="Freeze"/> ends that.</summary>
    private sealed class Node
    {
        public Dictionary<string, Node>? Children;
        public Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> ChildLookup;
        public Node? Star;
        public Node? Hash;
        public TValue[] Values = [];
        public List<TValue>? Pending;

        public bool IsLeaf => Children is null && Star is null && Hash is null;

        public Node GetOrAddChild(string word)
        {
            Children ??= new Dictionary<string, Node>(StringComparer.Ordinal);
            if (!Children.TryGetValue(word, out var child))
            {
                child = new Node();
                Children.Add(word, child);
            }

            return child;
        }

        public void Freeze()
        {
            Values = Pending?.ToArray() ?? [];
            Pending = null;
            if (Children is not null)
            {
                ChildLookup = Children.GetAlternateLookup<ReadOnlySpan<char>>();
                foreach (var child in Children.Values)
                {
                    child.Freeze();
                }
            }

            Star?.Freeze();
            Hash?.Freeze();
        }
    }
}
