using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Tests.Routing;

public sealed class TopicTrieTests
{
    private static readonly string[] BindingKeys =
    [
        "", "#", "*", "#.#", "a", "a.b", "a.*", "a.#", "a.#.b", "#.a", "a.*.#", "*.#", "#.*", "*.*", "a.*.b", "#.b.#", "a..b", ".", "a.", ".a", "*.", ".*", "#.", ".#", "a.#.#.b", "a.#.*", "*.a.#", "a*.b", "a#", "a.b.c", "#.a.#", "..", "*.*.*", "a.*.*.#", "*.#.*",
    ];

    /// <summary>Routing key → the binding keys RabbitMQ 3.10.8 delivered it through (probe of the reference broker).</summary>
    private static readonly Dictionary<string, string[]> ReferenceMatches = new()
    {
        [""] = ["", "#", "#.#"],
        ["a"] = ["#", "*", "#.#", "a", "a.#", "#.a", "*.#", "#.*", "#.a.#"],
        ["b"] = ["#", "*", "#.#", "*.#", "#.*", "#.b.#"],
        ["a.b"] = ["#", "#.#", "a.b", "a.*", "a.#", "a.#.b", "a.*.#", "*.#", "#.*", "*.*", "#.b.#", "a.#.#.b", "a.#.*", "#.a.#", "*.#.*"],
        ["a.b.c"] = ["#", "#.#", "a.#", "a.*.#", "*.#", "#.*", "#.b.#", "a.#.*", "a.b.c", "#.a.#", "*.*.*", "a.*.*.#", "*.#.*"],
        ["a.x.b"] = ["#", "#.#", "a.#", "a.#.b", "a.*.#", "*.#", "#.*", "a.*.b", "#.b.#", "a.#.#.b", "a.#.*", "#.a.#", "*.*.*", "a.*.*.#", "*.#.*"],
        ["a.x.y.b"] = ["#", "#.#", "a.#", "a.#.b", "a.*.#", "*.#", "#.*", "#.b.#", "a.#.#.b", "a.#.*", "#.a.#", "a.*.*.#", "*.#.*"],
        ["x.a"] = ["#", "#.#", "#.a", "*.#", "#.*", "*.*", "*.a.#", "#.a.#", "*.#.*"],
        ["x.y.a"] = ["#", "#.#", "#.a", "*.#", "#.*", "#.a.#", "*.*.*", "*.#.*"],
        ["a.a"] = ["#", "#.#", "a.*", "a.#", "#.a", "a.*.#", "*.#", "#.*", "*.*", "a.#.*", "*.a.#", "#.a.#", "*.#.*"],
        ["a.b.b"] = ["#", "#.#", "a.#", "a.#.b", "a.*.#", "*.#", "#.*", "a.*.b", "#.b.#", "a.#.#.b", "a.#.*", "#.a.#", "*.*.*", "a.*.*.#", "*.#.*"],
        ["."] = ["#", "#.#", "*.#", "#.*", "*.*", ".", "*.", ".*", "#.", ".#", "*.#.*"],
        [".."] = ["#", "#.#", "*.#", "#.*", "#.", ".#", "..", "*.*.*", "*.#.*"],
        ["a."] = ["#", "#.#", "a.*", "a.#", "a.*.#", "*.#", "#.*", "*.*", "a.", "*.", "#.", "a.#.*", "#.a.#", "*.#.*"],
        [".a"] = ["#", "#.#", "#.a", "*.#", "#.*", "*.*", ".a", ".*", ".#", "*.a.#", "#.a.#", "*.#.*"],
        ["a..b"] = ["#", "#.#", "a.#", "a.#.b", "a.*.#", "*.#", "#.*", "a.*.b", "#.b.#", "a..b", "a.#.#.b", "a.#.*", "#.a.#", "*.*.*", "a.*.*.#", "*.#.*"],
        ["*"] = ["#", "*", "#.#", "*.#", "#.*"],
        ["#"] = ["#", "*", "#.#", "*.#", "#.*"],
        ["a.*"] = ["#", "#.#", "a.*", "a.#", "a.*.#", "*.#", "#.*", "*.*", "a.#.*", "#.a.#", "*.#.*"],
        ["a.#"] = ["#", "#.#", "a.*", "a.#", "a.*.#", "*.#", "#.*", "*.*", "a.#.*", "#.a.#", "*.#.*"],
        ["*.b"] = ["#", "#.#", "*.#", "#.*", "*.*", "#.b.#", "*.#.*"],
        ["#.b"] = ["#", "#.#", "*.#", "#.*", "*.*", "#.b.#", "*.#.*"],
        ["a*.b"] = ["#", "#.#", "*.#", "#.*", "*.*", "#.b.#", "a*.b", "*.#.*"],
        ["ab.b"] = ["#", "#.#", "*.#", "#.*", "*.*", "#.b.#", "*.#.*"],
        ["a#"] = ["#", "*", "#.#", "*.#", "#.*", "a#"],
        ["b.a.c"] = ["#", "#.#", "*.#", "#.*", "#.b.#", "*.a.#", "#.a.#", "*.*.*", "*.#.*"],
        ["x.a.b.c"] = ["#", "#.#", "*.#", "#.*", "#.b.#", "*.a.#", "#.a.#", "*.#.*"],
        ["a.b.c.d"] = ["#", "#.#", "a.#", "a.*.#", "*.#", "#.*", "#.b.#", "a.#.*", "#.a.#", "a.*.*.#", "*.#.*"],
    };

    public static TheoryData<string> ReferenceRoutingKeys() => new(ReferenceMatches.Keys);

    /// <summary>Every binding key above bound at once; each routing key must reach exactly what RabbitMQ reached.</summary>
    [Theory]
    [MemberData(nameof(ReferenceRoutingKeys))]
    public void Matches_what_RabbitMQ_matches(string routingKey)
    {
        var trie = new TopicTrie<string>(BindingKeys.Select(key => KeyValuePair.Create(key, key)));

        var matched = Match(trie, routingKey);

        Assert.Equal(ReferenceMatches[routingKey].Order(StringComparer.Ordinal), matched.Distinct().Order(StringComparer.Ordinal));
    }

    [Theory]
    // Plain words.
    [InlineData("a.b", "a.b", true)]
    [InlineData("a.b", "a.b.c", false)]
    [InlineData("a.b.c", "a.b", false)]
    [InlineData("a.b", "a.B", false)]
    [InlineData("stock.usd.nyse", "stock.usd.nyse", true)]
    // Empty routing key: no words at all.
    [InlineData("", "", true)]
    [InlineData("#", "", true)]
    [InlineData("#.#", "", true)]
    [InlineData("*", "", false)]
    [InlineData("#.*", "", false)]
    [InlineData("a", "", false)]
    [InlineData("", "a", false)]
    [InlineData("", ".", false)]
    // Empty words: every dot separates, so leading, trailing and doubled dots make empty words.
    [InlineData("a..b", "a..b", true)]
    [InlineData("a.*.b", "a..b", true)]
    [InlineData("a.b", "a..b", false)]
    [InlineData("a.#.b", "a..b", true)]
    [InlineData("*", ".", false)]
    [InlineData("*.*", ".", true)]
    [InlineData(".", ".", true)]
    [InlineData("a.", "a.", true)]
    [InlineData("a.", "a", false)]
    [InlineData("a.*", "a.", true)]
    [InlineData("a.#", "a.", true)]
    [InlineData(".a", ".a", true)]
    [InlineData("*.a", ".a", true)]
    [InlineData("#.a", ".a", true)]
    [InlineData("#.", "a.", true)]
    [InlineData("#.", "", false)]
    [InlineData(".#", "", false)]
    [InlineData(".#", ".", true)]
    // '#' alone and repeated.
    [InlineData("#", "a", true)]
    [InlineData("#", "a.b.c.d.e", true)]
    [InlineData("#", "..", true)]
    [InlineData("#.#", "a.b", true)]
    [InlineData("#.#.#", "a", true)]
    // '#' in the middle, at the start, after '*'.
    [InlineData("a.#.b", "a.b", true)]
    [InlineData("a.#.b", "a.x.b", true)]
    [InlineData("a.#.b", "a.x.y.z.b", true)]
    [InlineData("a.#.b", "a.x.y.z", false)]
    [InlineData("a.#.b", "a.b.c", false)]
    [InlineData("a.#.b", "b.a.b", false)]
    [InlineData("a.#.#.b", "a.b", true)]
    [InlineData("#.a", "a", true)]
    [InlineData("#.a", "x.y.a", true)]
    [InlineData("#.a", "a.x", false)]
    [InlineData("#.a.#", "x.a.y", true)]
    [InlineData("#.a.#", "x.y", false)]
    [InlineData("a.*.#", "a", false)]
    [InlineData("a.*.#", "a.b", true)]
    [InlineData("a.*.#", "a.b.c.d", true)]
    [InlineData("*.#.*", "a", false)]
    [InlineData("*.#.*", "a.b", true)]
    [InlineData("a.#", "a", true)]
    [InlineData("a.#", "ab", false)]
    [InlineData("a.#", "b.a", false)]
    // '*' is exactly one word.
    [InlineData("*", "a", true)]
    [InlineData("*", "a.b", false)]
    [InlineData("a.*", "a", false)]
    [InlineData("a.*", "a.b.c", false)]
    [InlineData("*.*.*", "a.b.c", true)]
    // Routing keys longer than the binding.
    [InlineData("a.b", "a.b.c.d.e.f", false)]
    [InlineData("a.*.c", "a.b.c.d", false)]
    // '*' and '#' inside a binding word are literal characters.
    [InlineData("a*.b", "a*.b", true)]
    [InlineData("a*.b", "ab.b", false)]
    [InlineData("a#", "a#", true)]
    [InlineData("a#", "a", false)]
    [InlineData("a#", "a.b", false)]
    // '*' and '#' in a routing key are ordinary words: they meet wildcards, and their own literal word.
    [InlineData("a.*", "a.*", true)]
    [InlineData("a.#", "a.#", true)]
    [InlineData("a.b", "a.*", false)]
    [InlineData("a.b", "a.#", false)]
    [InlineData("a", "*", false)]
    [InlineData("a", "#", false)]
    [InlineData("a.b.c", "a.#", false)]
    [InlineData("*", "#", true)]
    [InlineData("#", "*", true)]
    // Words are compared as whole words, case and all.
    [InlineData("café.*", "café.x", true)]
    [InlineData("CAFE.*", "cafe.x", false)]
    public void Matches_a_single_binding(string bindingKey, string routingKey, bool expected)
    {
        var trie = new TopicTrie<string>([KeyValuePair.Create(bindingKey, bindingKey)]);

        Assert.Equal(expected, Match(trie, routingKey).Count > 0);
    }

    [Fact]
    public void A_binding_key_bound_several_times_yields_each_value()
    {
        var trie = new TopicTrie<string>(
        [
            KeyValuePair.Create("a.*", "q1"),
            KeyValuePair.Create("a.*", "q2"),
            KeyValuePair.Create("a.b", "q3"),
        ]);

        Assert.Equal(["q1", "q2", "q3"], Match(trie, "a.b").Order(StringComparer.Ordinal));
        Assert.Empty(Match(trie, "b.b"));
    }

    [Fact]
    public void A_value_reached_along_several_paths_may_arrive_more_than_once()
    {
        // "#.a.#" meets "a.a.a" three ways; deduplicating is the sink's job (the topic router does it).
        var trie = new TopicTrie<string>([KeyValuePair.Create("#.a.#", "q")]);

        var matched = Match(trie, "a.a.a");

        Assert.NotEmpty(matched);
        Assert.All(matched, value => Assert.Equal("q", value));
    }

    [Fact]
    public void Hash_in_the_middle_spans_many_words()
    {
        var trie = new TopicTrie<string>([KeyValuePair.Create("a.#.z", "q"), KeyValuePair.Create("a.#.y.#.z", "r")]);
        var words = Enumerable.Range(0, 120).Select(i => "w" + i).ToList();

        Assert.Equal(["q"], Match(trie, "a." + string.Join('.', words) + ".z").Distinct());
        Assert.Equal(["q", "r"], Match(trie, "a." + string.Join('.', words) + ".y.z").Distinct().Order(StringComparer.Ordinal));
        Assert.Empty(Match(trie, "a." + string.Join('.', words)));
    }

    [Fact]
    public void An_empty_trie_matches_nothing()
    {
        var trie = new TopicTrie<string>([]);

        Assert.Empty(Match(trie, ""));
        Assert.Empty(Match(trie, "a.b"));
    }

    private static List<string> Match(TopicTrie<string> trie, string routingKey)
    {
        var sink = new CollectingSink(new List<string>());
        trie.Match(routingKey, ref sink);
        return sink.Values;
    }

    private readonly record struct CollectingSink(List<string> Values) : ITopicMatchSink<string>
    {
        public void Add(string value) => Values.Add(value);
    }
}
