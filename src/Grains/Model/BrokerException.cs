using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.Model;

/// <summary>
/// A refusal the client must see: the reply code and the text RabbitMQ would send. Grains throw it;
/// the gateway turns it into channel.close or connection.close. Serializable, so it reaches a gateway on
/// another node intact.
/// </summary>
[GenerateSerializer, Alias("ob.BrokerException")]
public sealed class BrokerException : Exception
{
    public BrokerException(ReplyCode code, string detail)
        : base(detail)
    {
        Code = code;
    }

    [Id(0)]
    public ReplyCode Code { get; private set; }

    /// <summary>The reply text as RabbitMQ words it: "NOT_FOUND - no queue 'q' in vhost '/'".</summary>
    public string ReplyText => $"{ReplyCodeText.Name(Code)} - {Message}";

    public static BrokerException NotFound(string detail) => new(ReplyCode.NotFound, detail);

    public static BrokerException PreconditionFailed(string detail) => new(ReplyCode.PreconditionFailed, detail);

    public static BrokerException AccessRefused(string detail) => new(ReplyCode.AccessRefused, detail);

    public static BrokerException ResourceLocked(string detail) => new(ReplyCode.ResourceLocked, detail);
}
