using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace OrleansBroker.Gateway.Authentication;

/// <summary>
/// The permission expressions of every connection of this node, compiled once each: thousands of connections of one
/// application share a handful of patterns. Matching is unanchored, as RabbitMQ's re:run; an empty pattern matches
/// only the empty name (RabbitMQ reads "" as "^$").
/// </summary>
internal static class PermissionPatterns
{
    private static readonly ConcurrentDictionary<string, Regex> Compiled = new(StringComparer.Ordinal);

    public static Regex Get(string pattern) =>
        Compiled.GetOrAdd(pattern.Length == 0 ? "^$" : pattern, static p => new Regex(p, RegexOptions.CultureInvariant));
}
