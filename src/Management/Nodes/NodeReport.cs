using OrleansBroker.Amqp;

namespace OrleansBroker.Management.Nodes;

/// <summary>One node at one moment: its process and the connections of its AMQP gateway.</summary>
[GenerateSerializer, Immutable, Alias("ob.NodeReport")]
public sealed record NodeReport(
    string Name,
    int ProcessId,
    long UptimeMilliseconds,
    int Processors,
    long MemoryUsed,
    long MemoryLimit,
    long DiskFree,
    long DiskFreeLimit,
    int AmqpPort,
    ConnectionReport[] Connections);

/// <summary>An AMQP connection of a node's gateway, with its channels.</summary>
[GenerateSerializer, Immutable, Alias("ob.ConnectionReport")]
public sealed record ConnectionReport(
    string Id,
    string Name,
    string PeerAddress,
    string LocalAddress,
    string User,
    string VirtualHost,
    bool Open,
    long ConnectedAtMilliseconds,
    uint FrameMax,
    ushort ChannelMax,
    ushort HeartbeatSeconds,
    FieldTable ClientProperties,
    ChannelReport[] Channels);

/// <summary>A channel of a connection, with its consumers.</summary>
[GenerateSerializer, Immutable, Alias("ob.ChannelReport")]
public sealed record ChannelReport(
    ushort Number,
    bool Confirm,
    bool Transactional,
    ushort PrefetchCount,
    ushort GlobalPrefetchCount,
    int Unacknowledged,
    long Unconfirmed,
    ConsumerReport[] Consumers);

/// <summary>A consumer as its channel knows it.</summary>
[GenerateSerializer, Immutable, Alias("ob.ConsumerReport")]
public sealed record ConsumerReport(string ConsumerTag, string Queue, bool AckRequired, ushort PrefetchCount);
