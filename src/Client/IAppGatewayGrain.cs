using OrleansBroker.Grains.VirtualHosts;

namespace OrleansBroker.Client;

/// <summary>
/// An Orleans application's way into one virtual host of the broker (key: the virtual host's name): what the AMQP
/// gateway is to an AMQP client. It runs as a stateless worker in the silo the call reaches first (the client's
/// gateway silo, or the calling grain's silo), so it routes publishes against that silo's own copy of the virtual
/// host's routing, as an AMQP publish through that node is routed, and no single activation carries every publish.
/// Apps use it through <see cref="BrokerSession"/>; topology goes to <see cref="IVirtualHostGrain"/>.
/// </summary>
[Alias("ob.IAppGatewayGrain")]
public interface IAppGatewayGrain : IGrainWithStringKey
{
    /// <summary>
    /// Check that the virtual host exists (530 NOT_ALLOWED "vhost ... not found" otherwise, as connection.open
    /// answers) and name the broker node this call reached.
    /// </summary>
    [Alias("Open")]
    ValueTask<GatewayNode> Open();

    /// <summary>
    /// Route each publication as basic.publish does and append it to the queues it reaches, in order. Completes when
    /// every queue took its messages (persistent ones in durable queues on disk): a publisher confirm. Nothing is
    /// routed when one publication is refused (404 for an exchange that does not exist, 403 for an internal one, 406
    /// for a bad expiration or a body over the broker's max_message_size), as a <see cref="Grains.Model.BrokerException"/>.
    /// A queue that cannot take its messages (its node just died) fails the call after the other queues took theirs,
    /// as a nack does.
    /// </summary>
    [Alias("Publish")]
    ValueTask<PublishOutcome[]> Publish(Immutable<Publication[]> publications);
}
