namespace OrleansBroker.Amqp;

/// <summary>
/// Reads basic-class properties from the raw bytes of a content header after the body size:
/// 16-bit property flags (bit 15 first; bit 0 set means another flags word follows), then the
/// present properties in order: content-type, content-encoding, headers, delivery-mode, priority,
/// correlation-id, reply-to, expiration, message-id, timestamp, type, user-id, app-id, cluster-id.
/// </summary>
public static class BasicPropertiesReader
{
    public static BasicPropertiesSummary ReadSummary(ReadOnlySpan<byte> raw) =>
        throw new NotImplementedException("codec: being written");

    public static FieldTable ReadHeaders(ReadOnlySpan<byte> raw) =>
        throw new NotImplementedException("codec: being written");
}
