using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Grains.Policies;

/// <summary>
/// A policy's name pattern, compiled once. RabbitMQ matches with Erlang's re (PCRE) on the name's bytes, no
/// options: an unanchored search, "." is one byte. This uses .NET's backtracking Regex on the same bytes (each
/// UTF-8 byte read as one Latin-1 character, pattern and name alike) with a match timeout. Known differences,
/// all for unusual patterns: .NET refuses PCRE's possessive quantifiers (a++), (?P&lt;name&gt;...) groups and
/// recursion, and accepts what PCRE refuses (variable-length lookbehind, a repeated group name, [[:foo:]],
/// repetition counts above 65535); \w, \d
/// and \s also match some bytes from 0x80 up that PCRE's default tables leave out; a match that runs past the
/// timeout counts as no match. Compile errors are worded as PCRE words the common ones.
/// </summary>
public sealed class PolicyPattern
{
    /// <summary>How long one match may run: patterns are written by operators, names by any client.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex _regex;

    private PolicyPattern(string text, Regex regex)
    {
        Text = text;
        _regex = regex;
    }

    public string Text { get; }

    /// <summary>
    /// Compiles <paramref name="pattern"/>; when it is not a valid expression, <paramref name="error"/> is the
    /// reason as RabbitMQ prints it after "pattern should be regular expression but is invalid: ", i.e. an Erlang
    /// tuple of the PCRE message and the offset: {"missing )",1}.
    /// </summary>
    public static bool TryCreate(string pattern, out PolicyPattern compiled, out string error)
    {
        try
        {
            compiled = new PolicyPattern(pattern, new Regex(AsBytes(pattern), RegexOptions.CultureInvariant, MatchTimeout));
            error = string.Empty;
            return true;
        }
        catch (RegexParseException exception)
        {
            compiled = null!;
            error = ErlangTupleText.Format(
                PolicyValidation.InvalidPatternPrefix,
                ErlangStringText.Format(PcreMessage(exception)),
                PcreOffset(exception, AsBytes(pattern).Length).ToString(CultureInfo.InvariantCulture));
            return false;
        }
    }

    public static PolicyPattern Create(string pattern) =>
        TryCreate(pattern, out var compiled, out var error) ? compiled : throw new ArgumentException($"invalid pattern: {error}", nameof(pattern));

    public bool IsMatch(string name)
    {
        try
        {
            return _regex.IsMatch(AsBytes(name));
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    public override string ToString() => Text;

    // One character per UTF-8 byte, so that the regex sees the bytes Erlang's re sees.
    private static string AsBytes(string text) => Ascii.IsValid(text) ? text : Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));

    private static string PcreMessage(RegexParseException exception) => exception.Error switch
    {
        RegexParseError.InsufficientClosingParentheses => "missing )",
        RegexParseError.InsufficientOpeningParentheses => "unmatched parentheses",
        RegexParseError.UnterminatedBracket => "missing terminating ] for character class",
        RegexParseError.QuantifierAfterNothing => "nothing to repeat",
        RegexParseError.NestedQuantifiersNotParenthesized => "nothing to repeat",
        RegexParseError.ReversedQuantifierRange => "numbers out of order in {} quantifier",
        RegexParseError.ReversedCharacterRange => "range out of order in character class",
        RegexParseError.UnescapedEndingBackslash => "\\ at end of pattern",
        RegexParseError.MissingControlCharacter => "\\c at end of pattern",
        RegexParseError.UnrecognizedUnicodeProperty => "unknown property name after \\P or \\p",
        RegexParseError.UndefinedNamedReference or RegexParseError.UndefinedNumberedReference => "reference to non-existent subpattern",
        RegexParseError.QuantifierOrCaptureGroupOutOfRange => "number too big in {} quantifier",
        RegexParseError.InvalidGroupingConstruct => "unrecognized character after (? or (?-",
        _ => exception.Message,
    };

    // PCRE reports the offset of the offending character where .NET reports the one after it; for errors found at the
    // end of the pattern the two agree (observed on the reference broker against .NET's offsets).
    private static int PcreOffset(RegexParseException exception, int patternLength) => exception.Error switch
    {
        RegexParseError.InsufficientClosingParentheses
            or RegexParseError.UnterminatedBracket
            or RegexParseError.UnescapedEndingBackslash
            or RegexParseError.MissingControlCharacter => exception.Offset,
        RegexParseError.InvalidGroupingConstruct when exception.Offset == patternLength => exception.Offset,
        _ => Math.Max(0, exception.Offset - 1),
    };
}
