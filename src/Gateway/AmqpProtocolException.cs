using OrleansBroker.Amqp;

namespace OrleansBroker.Gateway;

/// <summary>
/// A protocol error found by the gateway: the reply code and text to send, and the method that
/// caused it. Hard errors (<see cref="ReplyCodeText.IsConnectionError"/>) close the connection,
/// soft ones the channel.
/// </summary>
internal sealed class AmqpProtocolException(ReplyCode code, string detail, uint methodId = 0) : Exception(detail)
{
    public ReplyCode Code { get; } = code;

    public uint MethodId { get; } = methodId;

    public string ReplyText => $"{ReplyCodeText.Name(Code)} - {Message}";
}
