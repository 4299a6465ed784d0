using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OrleansBroker.Management.Http;

/// <summary>
/// A list reply as rabbit_mgmt_util shapes it from the query string: <c>name</c> (with <c>use_regex</c>) filters,
/// <c>sort</c> (a field, dotted for nested ones) and <c>sort_reverse</c> order, <c>columns</c> keeps only the named
/// fields, and <c>page</c> / <c>page_size</c> (default 100, at most 500) answer one page wrapped in its counts.
/// </summary>
public static class Listing
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 500;

    public static JsonNode Shape(ApiRequest request, IEnumerable<JsonObject> rows, string defaultSort = "name")
    {
        var all = rows.ToList();
        var filtered = Filter(request, all);
        var sort = request.Query("sort");
        var sorted = Sort(filtered, string.IsNullOrEmpty(sort) ? defaultSort : sort, request.QueryFlag("sort_reverse"));
        var columns = request.Query("columns");
        IEnumerable<JsonObject> selected = sorted;
        if (request.Query("page") is { } pageText)
        {
            var page = ParsePositive(pageText, "page");
            var pageSize = request.Query("page_size") is { } sizeText ? ParsePositive(sizeText, "page_size") : DefaultPageSize;
            if (pageSize > MaxPageSize)
            {
                throw ApiException.BadRequest($"Page size {pageSize} is larger than maximum {MaxPageSize}");
            }

            var pageCount = Math.Max(1, (sorted.Count + pageSize - 1) / pageSize);
            if (page > pageCount && sorted.Count > 0)
            {
                throw ApiException.BadRequest($"Page out of range, page: {page} page size: {pageSize}, len: {sorted.Count}");
            }

            var items = sorted.Skip((page - 1) * pageSize).Take(pageSize).Select(row => Columns(row, columns));
            return new JsonObject
            {
                ["filtered_count"] = filtered.Count,
                ["item_count"] = Math.Min(pageSize, Math.Max(0, sorted.Count - ((page - 1) * pageSize))),
                ["items"] = new JsonArray(items.ToArray<JsonNode?>()),
                ["page"] = page,
                ["page_count"] = pageCount,
                ["page_size"] = pageSize,
                ["total_count"] = all.Count,
            };
        }

        return new JsonArray(selected.Select(row => Columns(row, columns)).ToArray<JsonNode?>());
    }

    /// <summary>Only the named fields (dotted names reach into nested objects), as columns= asks.</summary>
    public static JsonObject Columns(JsonObject row, string? columns)
    {
        if (string.IsNullOrEmpty(columns))
        {
            return row;
        }

        var kept = new JsonObject();
        foreach (var column in columns.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var path = column.Split('.');
            JsonNode? source = row;
            JsonObject target = kept;
            for (var i = 0; i < path.Length && source is JsonObject sourceObject; i++)
            {
                if (!sourceObject.TryGetPropertyValue(path[i], out var value))
                {
                    break;
                }

                if (i == path.Length - 1)
                {
                    target[path[i]] = value?.DeepClone();
                }
                else
                {
                    if (target[path[i]] is not JsonObject next)
                    {
                        next = new JsonObject();
                        target[path[i]] = next;
                    }

                    target = next;
                }

                source = value;
            }
        }

        return kept;
    }

    private static List<JsonObject> Filter(ApiRequest request, List<JsonObject> rows)
    {
        var name = request.Query("name");
        if (string.IsNullOrEmpty(name))
        {
            return rows;
        }

        if (request.QueryFlag("use_regex"))
        {
            Regex regex;
            try
            {
                regex = new Regex(name, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException)
            {
                throw ApiException.BadRequest($"Invalid regex: {name}");
            }

            return rows.Where(row => regex.IsMatch(NameOf(row))).ToList();
        }

        return rows.Where(row => NameOf(row).Contains(name, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    private static string NameOf(JsonObject row) => row["name"]?.ToString() ?? string.Empty;

    private static List<JsonObject> Sort(List<JsonObject> rows, string field, bool reverse)
    {
        var path = field.Split('.');
        var sorted = rows.OrderBy(row => Lookup(row, path), SortKeyComparer.Instance).ToList();
        if (reverse)
        {
            sorted.Reverse();
        }

        return sorted;
    }

    private static JsonNode? Lookup(JsonObject row, string[] path)
    {
        JsonNode? node = row;
        foreach (var part in path)
        {
            node = node is JsonObject json && json.TryGetPropertyValue(part, out var value) ? value : null;
        }

        return node;
    }

    private static int ParsePositive(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw ApiException.BadRequest($"{name} must be a positive integer");

    /// <summary>Numbers by value, everything else by its text; missing values first.</summary>
    private sealed class SortKeyComparer : IComparer<JsonNode?>
    {
        public static readonly SortKeyComparer Instance = new();

        public int Compare(JsonNode? x, JsonNode? y)
        {
            if (x is null || y is null)
            {
                return (x is null ? 0 : 1) - (y is null ? 0 : 1);
            }

            if (x is JsonValue xv && y is JsonValue yv && xv.TryGetValue<double>(out var xd) && yv.TryGetValue<double>(out var yd))
            {
                return xd.CompareTo(yd);
            }

            return string.CompareOrdinal(x.ToString(), y.ToString());
        }
    }
}
