namespace OrleansBroker.Hosting.Configuration;

/// <summary>
/// One "key = value" line of a rabbitmq.conf: the key as written, its dot-separated segments (an escaped
/// "\." stays inside its segment), the value without surrounding blanks or trailing comment, and the line number.
/// </summary>
internal sealed record RabbitMQConfSetting(string Key, IReadOnlyList<string> Segments, string Value, int Line);
