namespace OrleansBroker.Hosting.Configuration;

/// <summary>
/// The keys a rabbitmq.conf may set: those of RabbitMQ's server and of the plugins it ships, generated from
/// their schemas into RabbitMQConfKeys.Generated.cs. The list is partial in that it is one RabbitMQ version's
/// (<see cref="RabbitMQVersion"/>): keys added by later versions are refused as unknown until it is regenerated.
/// </summary>
internal static partial class RabbitMQConfKeys
{
    /// <summary>The definition a key matches, or null. (No two patterns of RabbitMQ 3.10.8 match the same key.)</summary>
    public static RabbitMQConfKey? Find(IReadOnlyList<string> segments) => All.FirstOrDefault(key => key.Matches(segments));

    /// <summary>A known key close to a mistyped one (a few edits away), as cuttlefish's "did you mean" does; null if none.</summary>
    public static string? Suggest(string key, IReadOnlyList<string> segments)
    {
        string? best = null;
        var bestDistance = Math.Max(2, key.Length / 5) + 1;
        foreach (var candidate in All)
        {
            var text = candidate.Instantiate(segments);
            var distance = EditDistance(key, text);
            if (distance < bestDistance)
            {
                best = text;
                bestDistance = distance;
            }
        }

        return best;
    }

    // Levenshtein distance, one row at a time.
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
