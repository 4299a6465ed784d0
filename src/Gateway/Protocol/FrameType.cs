namespace OrleansBroker.Gateway.Protocol;

/// <summary>The frame types of AMQP 0-9-1 as RabbitMQ accepts them.</summary>
public enum FrameType : byte
{
    Method = 1,
    Header = 2,
    Body = 3,
    Heartbeat = 8,
}
