namespace OrleansBroker.Gateway.Protocol;

/// <summary>
/// The frame layout: type (1 octet), channel (2), payload size (4), payload, frame-end octet 0xCE.
/// </summary>
public static class FrameLayout
{
    public const int HeaderSize = 7;

    public const byte FrameEnd = 0xCE;

    /// <summary>Header plus frame-end: what a frame costs beyond its payload (RabbitMQ's ?EMPTY_FRAME_SIZE).</summary>
    public const int Overhead = HeaderSize + 1;

    /// <summary>Class id and method id at the start of a method frame's payload.</summary>
    public const int MethodIdSize = 4;

    /// <summary>Class id, weight and body size at the start of a content header's payload.</summary>
    public const int ContentHeaderPrefixSize = 12;

    /// <summary>The smallest frame_max a peer may negotiate (FRAME-MIN-SIZE).</summary>
    public const uint MinFrameMax = 4096;
}
