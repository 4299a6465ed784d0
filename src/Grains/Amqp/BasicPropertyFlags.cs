namespace OrleansBroker.Amqp;

/// <summary>
/// Presence bits of the basic-class properties in a content header's property flags (bit 15 is the first
/// property). Bit 0 set means another flags word follows; basic has only 14 properties, so later words carry
/// no properties of their own.
/// </summary>
[Flags]
public enum BasicPropertyFlags : ushort
{
    None = 0,
    Continuation = 0x0001,
    ClusterId = 0x0004,
    AppId = 0x0008,
    UserId = 0x0010,
    Type = 0x0020,
    Timestamp = 0x0040,
    MessageId = 0x0080,
    Expiration = 0x0100,
    ReplyTo = 0x0200,
    CorrelationId = 0x0400,
    Priority = 0x0800,
    DeliveryMode = 0x1000,
    Headers = 0x2000,
    ContentEncoding = 0x4000,
    ContentType = 0x8000,
}
