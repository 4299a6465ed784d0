using OrleansBroker.Grains.Policies;

namespace OrleansBroker.Tests.Policies;

public sealed class PolicyPatternTests
{
    [Theory]
    [InlineData("^amq\\.", "amq.gen-1", true)]
    [InlineData("^amq\\.", "xamq.gen", false)]
    [InlineData("order", "new-orders-queue", true)]
    [InlineData("^q$", "q", true)]
    [InlineData("^q$", "q2", false)]
    [InlineData(".*", "", true)]
    [InlineData("^(cq|qq)$", "qq", true)]
    [InlineData("Q", "q", false)]
    public void Searches_the_name_without_anchoring_or_options(string pattern, string name, bool matches)
    {
        Assert.Equal(matches, PolicyPattern.Create(pattern).IsMatch(name));
    }

    /// <summary>Erlang's re works on the name's bytes: "." is one byte, so "é" (two bytes) needs "..".</summary>
    [Theory]
    [InlineData("^.$", "é", false)]
    [InlineData("^..$", "é", true)]
    [InlineData("^é$", "é", true)]
    [InlineData("^caf.", "café", true)]
    public void Matches_bytes_as_Erlang_s_re_does(string pattern, string name, bool matches)
    {
        Assert.Equal(matches, PolicyPattern.Create(pattern).IsMatch(name));
    }

    /// <summary>The name does contain "x", but the search backtracks catastrophically before it gets there.</summary>
    [Fact]
    public void A_match_that_runs_past_the_timeout_is_no_match()
    {
        var pattern = PolicyPattern.Create("(a+)+!|x");

        Assert.False(pattern.IsMatch(new string('a', 40) + "x"));
        Assert.True(pattern.IsMatch("ax"));
    }

    /// <summary>PCRE's texts as the reference broker printed them after "pattern should be regular expression but is invalid: ".</summary>
    [Theory]
    [InlineData("(", "{\"missing )\",1}")]
    [InlineData("*a", "{\"nothing to repeat\",0}")]
    [InlineData("a|*", "{\"nothing to repeat\",2}")]
    [InlineData("(?z)", "{\"unrecognized character after (? or (?-\",\n                                                      2}")]
    [InlineData("a(?", "{\"unrecognized character after (? or (?-\",\n                                                      3}")]
    public void Words_compile_errors_as_PCRE(string pattern, string error)
    {
        Assert.False(PolicyPattern.TryCreate(pattern, out _, out var actual));
        Assert.Equal(error, actual);
    }

    /// <summary>Known differences from PCRE, all in unusual patterns (documented on <see cref="PolicyPattern"/>).</summary>
    [Theory]
    [InlineData("a++", false)]
    [InlineData("(?P<x>a)", false)]
    [InlineData("(?<=a+)b", true)]
    [InlineData("(?<n>a)(?<n>b)", true)]
    [InlineData("a{99999}", true)]
    public void Differs_from_PCRE_on_these(string pattern, bool dotNetAccepts)
    {
        Assert.Equal(dotNetAccepts, PolicyPattern.TryCreate(pattern, out _, out _));
    }

    [Fact]
    public void Create_refuses_an_invalid_pattern()
    {
        Assert.Throws<ArgumentException>(() => PolicyPattern.Create("["));
    }
}
