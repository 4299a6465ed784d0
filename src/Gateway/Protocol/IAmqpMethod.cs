using OrleansBroker.Amqp;

namespace OrleansBroker.Gateway.Protocol;

/// <summary>
/// An AMQP 0-9-1 method: its ids, whether content follows it, and its arguments' codec. The arguments are a
/// method frame's payload after the 2-octet class id and 2-octet method id. Implemented by the generated records
/// in AmqpMethods.g.cs; the statics let generic code (<see cref="FrameWriter.WriteMethod{T}"/>) work without boxing.
/// </summary>
public interface IAmqpMethod<TSelf>
    where TSelf : struct, IAmqpMethod<TSelf>
{
    static abstract ushort ClassId { get; }

    static abstract ushort MethodId { get; }

    /// <summary>(ClassId &lt;&lt; 16) | MethodId, as in <see cref="AmqpMethodIds"/>.</summary>
    static abstract uint Id { get; }

    /// <summary>Whether a content header and body frames follow the method frame.</summary>
    static abstract bool HasContent { get; }

    /// <summary>Decodes the arguments; throws <see cref="AmqpFormatException"/> when they are truncated or have trailing octets.</summary>
    static abstract TSelf Decode(ReadOnlySpan<byte> arguments);

    /// <summary>The exact encoded size of the arguments.</summary>
    int GetArgumentsSize();

    void EncodeArguments(ref AmqpWriter writer);
}
