using System.Text;
using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Routing;
using static OrleansBroker.Tests.Routing.Bindings;

namespace OrleansBroker.Tests.Routing;

public sealed class HeadersRouterTests
{
    private static readonly FieldTable NoHeaders = FieldTable.Empty;

    /// <summary>
    /// Binding arguments, message headers, and whether RabbitMQ 3.10.8 delivered the message: each case
    /// was bound and published on the reference broker with exactly these wire types (pika with a raw
    /// field encoder), the outcome read back with basic.get.
    /// </summary>
    private static readonly Dictionary<string, (FieldTable Arguments, FieldTable Headers, bool Routed)> ReferenceCases = new()
    {
        // x-match modes.
        ["all_exact"] = (Table(("x-match", "all"), ("a", "1")), Table(("a", "1")), true),
        ["default_all"] = (Table(("a", "1")), Table(("a", "1")), true),
        ["all_missing_one"] = (Table(("x-match", "all"), ("a", "1"), ("b", "2")), Table(("a", "1")), false),
        ["any_one_of_two"] = (Table(("x-match", "any"), ("a", "1"), ("b", "2")), Table(("a", "1")), true),
        ["any_one_match_one_mismatch"] = (Table(("x-match", "any"), ("a", "1"), ("b", "2")), Table(("a", "1"), ("b", "3")), true),
        ["any_no_args"] = (Table(("x-match", "any")), Table(("a", "1")), false),
        ["all_no_args_no_headers"] = (Table(("x-match", "all")), NoHeaders, true),
        ["empty_args_no_headers"] = (FieldTable.Empty, NoHeaders, true),
        ["all_no_headers"] = (Table(("a", "1")), NoHeaders, false),
        ["any_no_headers"] = (Table(("x-match", "any"), ("a", "1")), NoHeaders, false),
        ["key_case"] = (Table(("A", "1")), Table(("a", "1")), false),
        ["xmatch_second_occurrence"] = (Table(("x-match", "all"), ("x-match", "any"), ("a", "1"), ("b", "2")), Table(("a", "1")), false),

        // x- arguments: ignored by all/any, compared by the -with-x modes; x-match itself never.
        ["all_ignores_x"] = (Table(("x-match", "all"), ("x-foo", "1"), ("a", "1")), Table(("a", "1")), true),
        ["allx_needs_x"] = (Table(("x-match", "all-with-x"), ("x-foo", "1"), ("a", "1")), Table(("a", "1")), false),
        ["allx_has_x"] = (Table(("x-match", "all-with-x"), ("x-foo", "1"), ("a", "1")), Table(("a", "1"), ("x-foo", "1")), true),
        ["any_ignores_x"] = (Table(("x-match", "any"), ("x-foo", "1")), Table(("x-foo", "1")), false),
        ["anyx_uses_x"] = (Table(("x-match", "any-with-x"), ("x-foo", "1")), Table(("x-foo", "1")), true),
        ["allx_only_xmatch"] = (Table(("x-match", "all-with-x")), NoHeaders, true),
        ["anyx_only_xmatch"] = (Table(("x-match", "any-with-x")), Table(("a", "1")), false),
        ["allx_xmatch_in_headers_ignored"] = (Table(("x-match", "all-with-x"), ("a", "1")), Table(("a", "1")), true),

        // Integers of every width, timestamps and floats compare by value.
        ["I1_l1"] = (Table(("a", 1)), Table(("a", 1L)), true),
        ["I1_s1"] = (Table(("a", 1)), Table(("a", (short)1)), true),
        ["I1_u1"] = (Table(("a", 1)), Table(("a", (ushort)1)), true),
        ["I1_b1"] = (Table(("a", 1)), Table(("a", (sbyte)1)), true),
        ["I1_B1"] = (Table(("a", 1)), Table(("a", (byte)1)), true),
        ["I1_i1"] = (Table(("a", 1)), Table(("a", 1u)), true),
        ["I5_T5"] = (Table(("a", 5)), Table(("a", new AmqpTimestamp(5))), true),
        ["I1_d1"] = (Table(("a", 1)), Table(("a", 1.0)), true),
        ["I1_f1"] = (Table(("a", 1)), Table(("a", 1.0f)), true),
        ["f15_d15"] = (Table(("a", 1.5f)), Table(("a", 1.5)), true),
        ["f11_d11"] = (Table(("a", 1.1f)), Table(("a", 1.1)), false),
        ["d_neg0_I0"] = (Table(("a", -0.0)), Table(("a", 0)), true),
        ["bm1_B255"] = (Table(("a", (sbyte)-1)), Table(("a", (byte)255)), false),
        ["i_max_l"] = (Table(("a", uint.MaxValue)), Table(("a", (long)uint.MaxValue)), true),
        ["l_2p53p1_d_2p53"] = (Table(("a", (1L << 53) + 1)), Table(("a", (double)(1L << 53))), false),
        ["l_2p53_d_2p53"] = (Table(("a", 1L << 53)), Table(("a", (double)(1L << 53))), true),
        ["T_big_vs_l"] = (Table(("a", new AmqpTimestamp(1UL << 63))), Table(("a", long.MinValue)), false),
        ["T_big_d"] = (Table(("a", new AmqpTimestamp(1UL << 63))), Table(("a", 9223372036854775808.0)), true),

        // Strings and byte arrays are both binaries; other types never equal them.
        ["S_x_same"] = (Table(("a", "abc")), Table(("a", Bytes("abc"))), true),
        ["S_x_invalid_utf8"] = (Table(("a", new byte[] { 0xFF, 0xFE })), Table(("a", new AmqpLongString([0xFF, 0xFE]))), true),
        ["S1_I1"] = (Table(("a", "1")), Table(("a", 1)), false),
        ["S_true_t"] = (Table(("a", "true")), Table(("a", true)), false),

        // Booleans and decimals.
        ["t_true_I1"] = (Table(("a", true)), Table(("a", 1)), false),
        ["t_true_t2"] = (Table(("a", true)), Table(("a", true)), true),
        ["t_false_t0"] = (Table(("a", false)), Table(("a", false)), true),
        ["D110_D2100"] = (Table(("a", new AmqpDecimal(1, 10))), Table(("a", new AmqpDecimal(2, 100))), false),
        ["D110_D110"] = (Table(("a", new AmqpDecimal(1, 10))), Table(("a", new AmqpDecimal(1, 10))), true),
        ["D05_I5"] = (Table(("a", new AmqpDecimal(0, 5))), Table(("a", 5)), false),

        // A void argument asks only for the header's presence.
        ["void_any_value"] = (Table(("a", null)), Table(("a", 7)), true),
        ["void_void"] = (Table(("a", null)), Table(("a", null)), true),
        ["void_absent"] = (Table(("a", null)), Table(("b", "1")), false),
        ["S_empty_vs_void"] = (Table(("a", "")), Table(("a", null)), false),
        ["any_void_absent"] = (Table(("x-match", "any"), ("a", null)), Table(("b", "1")), false),
        ["any_void_present"] = (Table(("x-match", "any"), ("a", null), ("b", "9")), Table(("a", "1")), true),

        // Arrays and nested tables compare element types too, and order.
        ["A_I_A_I"] = (Table(("a", Array(1, "z"))), Table(("a", Array(1, "z"))), true),
        ["A_I_A_l"] = (Table(("a", Array(1))), Table(("a", Array(1L))), false),
        ["A_S_A_x"] = (Table(("a", Array("z"))), Table(("a", Array(Bytes("z")))), false),
        ["A_order"] = (Table(("a", Array(1, 2))), Table(("a", Array(2, 1))), false),
        ["A_empty"] = (Table(("a", Array())), Table(("a", Array())), true),
        ["A_vs_S"] = (Table(("a", Array("1"))), Table(("a", "1")), false),
        ["f_d_A"] = (Table(("a", Array(1.5f))), Table(("a", Array(1.5))), false),
        ["F_same"] = (Table(("a", Table(("k", 1), ("m", "v")))), Table(("a", Table(("k", 1), ("m", "v")))), true),
        ["F_I_l"] = (Table(("a", Table(("k", 1)))), Table(("a", Table(("k", 1L)))), false),
        ["F_order"] = (Table(("a", Table(("k", 1), ("m", "v")))), Table(("a", Table(("m", "v"), ("k", 1)))), false),

        // Repeated keys pair up in order: the n-th argument named k with the n-th header named k.
        ["dup_binding_one_header"] = (Table(("a", "1"), ("a", "1")), Table(("a", "1")), false),
        ["dup_header_first_wins"] = (Table(("a", "1")), Table(("a", "2"), ("a", "1")), false),
        ["dup_header_first_matches"] = (Table(("a", "1")), Table(("a", "1"), ("a", "2")), true),
        ["dup_both_pairwise"] = (Table(("a", "1"), ("a", "2")), Table(("a", "1"), ("a", "2")), true),
        ["dup_both_swapped"] = (Table(("a", "1"), ("a", "2")), Table(("a", "2"), ("a", "1")), false),
        ["dup_any_second"] = (Table(("x-match", "any"), ("a", "1"), ("a", "2")), Table(("a", "2")), false),
        ["dup_binding_mixed_x"] = (Table(("x-match", "any"), ("a", "9"), ("a", "1")), Table(("a", "1"), ("a", "1")), true),
    };

    public static TheoryData<string> ReferenceCaseNames() => new(ReferenceCases.Keys);

    [Theory]
    [MemberData(nameof(ReferenceCaseNames))]
    public void Matches_what_RabbitMQ_matches(string name)
    {
        var (arguments, headers, routed) = ReferenceCases[name];
        var router = ExchangeTypes.CreateRouter("headers", [Queue("x", "", "q", arguments)]);

        Assert.Equal(routed, Route(router, headers).Count == 1);
    }

    [Theory]
    [MemberData(nameof(ReferenceCaseNames))]
    public void The_comparison_is_symmetric_for_non_void_values(string name)
    {
        // Erlang's == is symmetric: swapping argument and header values of a single-entry case keeps the outcome.
        var (arguments, headers, routed) = ReferenceCases[name];
        if (arguments.Count != 1 || headers.Count != 1 || arguments[0].Key != "a" || headers[0].Key != "a" || arguments[0].Value is null || headers[0].Value is null)
        {
            return;
        }

        var router = ExchangeTypes.CreateRouter("headers", [Queue("x", "", "q", headers)]);

        Assert.Equal(routed, Route(router, arguments).Count == 1);
    }

    [Fact]
    public void The_routing_key_is_ignored()
    {
        var router = ExchangeTypes.CreateRouter("headers", [Queue("x", "some-key", "q", Table(("a", "1")))]);
        var destinations = new List<BindingDestination>();

        router.Route(new Message("x", "another-key", Table(("a", "1"))), destinations);

        Assert.Equal([BindingDestination.Queue("q")], destinations);
    }

    [Fact]
    public void A_destination_matched_by_several_bindings_comes_once()
    {
        var router = ExchangeTypes.CreateRouter("headers",
        [
            Queue("x", "", "q", Table(("x-match", "any"), ("a", "1"))),
            Queue("x", "", "q", Table(("b", "2"))),
            Queue("x", "", "r", Table(("a", "2"))),
            Exchange("x", "", "e", Table(("x-match", "any"), ("b", "2"))),
        ]);

        var destinations = Route(router, Table(("a", "1"), ("b", "2")));

        Assert.Equal([BindingDestination.Queue("q"), BindingDestination.Exchange("e")], destinations);
    }

    [Theory]
    [InlineData("all", "All")]
    [InlineData("any", "Any")]
    [InlineData("all-with-x", "AllWithX")]
    [InlineData("any-with-x", "AnyWithX")]
    [InlineData("ANY", "All")]
    public void Reads_the_match_mode(string xMatch, string mode)
    {
        Assert.Equal(Enum.Parse<HeadersMatchMode>(mode), new HeadersBindingPattern(Table(("x-match", xMatch))).Mode);
    }

    [Fact]
    public void A_byte_array_x_match_is_not_a_string_and_means_all()
    {
        Assert.Equal(HeadersMatchMode.All, new HeadersBindingPattern(Table(("x-match", Bytes("any")))).Mode);
    }

    [Fact]
    public void Long_strings_compare_with_byte_arrays_across_the_stack_buffer()
    {
        var text = string.Concat(Enumerable.Repeat("é-ü-€-𝄞-", 100));
        var router = ExchangeTypes.CreateRouter("headers", [Queue("x", "", "q", Table(("a", text)))]);

        Assert.Single(Route(router, Table(("a", Encoding.UTF8.GetBytes(text)))));
        Assert.Single(Route(router, Table(("a", text))));
        Assert.Empty(Route(router, Table(("a", Encoding.UTF8.GetBytes(text + "x")))));
        Assert.Empty(Route(router, Table(("a", Encoding.UTF8.GetBytes(text)[..^1]))));
    }

    /// <summary>RabbitMQ's refusals of bad x-match values, as the reference broker worded them.</summary>
    [Theory]
    [MemberData(nameof(InvalidMatchModes))]
    public void Refuses_bad_x_match_values_with_RabbitMQs_text(object? value, string expected)
    {
        var error = Assert.Throws<BrokerException>(() => ExchangeTypes.ValidateBinding("headers", Table(("x-match", value), ("a", "1"))));

        Assert.Equal(ReplyCode.PreconditionFailed, error.Code);
        Assert.Equal("PRECONDITION_FAILED - " + expected, error.ReplyText);
    }

    public static TheoryData<object?, string> InvalidMatchModes() => new()
    {
        { "ANY", "Invalid x-match field value <<\"ANY\">>; expected all, any, all-with-x, or any-with-x" },
        { "a\"b\\c", "Invalid x-match field value <<\"a\\\"b\\\\c\">>; expected all, any, all-with-x, or any-with-x" },
        { "a\nb", "Invalid x-match field value <<\"a\\nb\">>; expected all, any, all-with-x, or any-with-x" },
        { "é", "Invalid x-match field value <<\"é\">>; expected all, any, all-with-x, or any-with-x" },
        { "", "Invalid x-match field value <<>>; expected all, any, all-with-x, or any-with-x" },
        { Bytes("any"), "Invalid x-match field type binary (value <<\"any\">>); expected longstr" },
        { new byte[] { 0, 97 }, "Invalid x-match field type binary (value <<0,97>>); expected longstr" },
        { 1, "Invalid x-match field type signedint (value 1); expected longstr" },
        { -9000000000L, "Invalid x-match field type long (value -9000000000); expected longstr" },
        { (sbyte)-3, "Invalid x-match field type byte (value -3); expected longstr" },
        { null, "Invalid x-match field type void (value undefined); expected longstr" },
        { true, "Invalid x-match field type bool (value true); expected longstr" },
        { 1.5, "Invalid x-match field type double (value 1.5); expected longstr" },
        { 1.5f, "Invalid x-match field type float (value 1.5); expected longstr" },
        { new AmqpDecimal(2, 150), "Invalid x-match field type decimal (value {2,150}); expected longstr" },
        { new AmqpTimestamp(5), "Invalid x-match field type timestamp (value 5); expected longstr" },
        { Array(1, "z"), "Invalid x-match field type array (value [{signedint,1},{longstr,<<\"z\">>}]); expected longstr" },
        { Table(("k", 1)), "Invalid x-match field type table (value [{<<\"k\">>,signedint,1}]); expected longstr" },
    };

    [Theory]
    [InlineData("all")]
    [InlineData("any")]
    [InlineData("all-with-x")]
    [InlineData("any-with-x")]
    public void Accepts_the_four_modes(string xMatch)
    {
        ExchangeTypes.ValidateBinding("headers", Table(("x-match", xMatch)));
    }

    [Fact]
    public void Accepts_a_missing_x_match_and_other_types_check_nothing()
    {
        ExchangeTypes.ValidateBinding("headers", Table(("a", "1")));
        ExchangeTypes.ValidateBinding("headers", FieldTable.Empty);
        ExchangeTypes.ValidateBinding("topic", Table(("x-match", 1)));
        ExchangeTypes.ValidateBinding("direct", Table(("x-match", "nonsense")));
    }

    private static List<BindingDestination> Route(ExchangeRouter router, FieldTable headers)
    {
        var destinations = new List<BindingDestination>();
        router.Route(new Message("x", "", headers), destinations);
        return destinations;
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static object?[] Array(params object?[] values) => values;
}
