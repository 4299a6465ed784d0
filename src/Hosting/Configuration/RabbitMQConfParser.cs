using System.Text;

namespace OrleansBroker.Hosting.Configuration;

/// <summary>
/// Reads the lines of a rabbitmq.conf ("new style", sysctl-like) as cuttlefish 3.0.1 does (its conf_parse
/// grammar): each line is blank, a comment starting with '#', or "key = value". A key is words of letters,
/// digits, '_' and '-' joined by '.', where "\." is a dot inside a word. A value runs to the end of the line or
/// to the first '#' (so a '#' cannot be part of a value, as in RabbitMQ), blanks around it dropped; quotes are
/// kept as written. A key set twice takes its last value. Anything else stops with the line's number.
/// </summary>
internal static class RabbitMQConfParser
{
    public static IReadOnlyList<RabbitMQConfSetting> Parse(string text, string source)
    {
        var settings = new List<RabbitMQConfSetting>();
        var lines = text.Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index].TrimEnd('\r');
            var number = index + 1;
            var content = line.TrimStart(' ', '\t');
            if (content.Length == 0 || content[0] == '#')
            {
                continue;
            }

            if (IsInclude(content))
            {
                throw new BrokerConfigurationException($"{source} line {number}: 'include' is not supported; put the settings in this file");
            }

            settings.Add(ParseSetting(content, source, number));
        }

        return settings;
    }

    // cuttlefish's "include PATH" directive (a line that is not a setting of a key named include).
    private static bool IsInclude(string content) =>
        content.StartsWith("include", StringComparison.Ordinal)
        && content.Length > 7
        && content[7] is ' ' or '\t'
        && !content[7..].TrimStart(' ', '\t').StartsWith('=');

    private static RabbitMQConfSetting ParseSetting(string content, string source, int number)
    {
        var segments = new List<string>();
        var segment = new StringBuilder();
        var position = 0;
        while (position < content.Length)
        {
            var c = content[position];
            if (c == '\\' && position + 1 < content.Length && content[position + 1] == '.')
            {
                segment.Append('.');
                position += 2;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            {
                segment.Append(c);
                position++;
            }
            else if (c == '.' && segment.Length > 0)
            {
                segments.Add(segment.ToString());
                segment.Clear();
                position++;
            }
            else
            {
                break;
            }
        }

        var key = content[..position];
        var rest = content[position..].TrimStart(' ', '\t');
        if (segment.Length == 0 || rest.Length == 0 || rest[0] != '=')
        {
            var equals = content.IndexOf('=', StringComparison.Ordinal);
            var written = (equals < 0 ? content : content[..equals]).TrimEnd(' ', '\t');
            throw new BrokerConfigurationException(equals < 0 || written.Length == 0
                ? $"{source} line {number}: expected 'key = value', found '{content.TrimEnd(' ', '\t')}'"
                : $"{source} line {number}: '{written}' is not a key (words of letters, digits, '_' and '-' joined by '.')");
        }

        segments.Add(segment.ToString());
        var value = rest[1..];
        var comment = value.IndexOf('#', StringComparison.Ordinal);
        if (comment >= 0)
        {
            value = value[..comment];
        }

        value = value.Trim(' ', '\t');
        if (value.Length == 0)
        {
            throw new BrokerConfigurationException($"{source} line {number}: '{key}' has no value");
        }

        return new RabbitMQConfSetting(key, segments, value, number);
    }
}
