namespace OrleansBroker.Tests.Infrastructure.RawAmqp;

/// <summary>The frame types of AMQP 0-9-1 (spec 4.2.3); a frame may carry any octet, these are the valid ones.</summary>
internal static class FrameType
{
    public const byte Method = 1;
    public const byte Header = 2;
    public const byte Body = 3;
    public const byte Heartbeat = 8;
}
