namespace OrleansBroker.Grains.Access;

/// <summary>
/// A gateway node listening to the user store for what must reach live connections: a deleted virtual host closes
/// its connections (320 CONNECTION_FORCED), as RabbitMQ does. Gateways subscribe again periodically (the store keeps
/// a subscription for a bounded time and forgets it when its activation moves).
/// </summary>
[Alias("ob.IAccessObserver")]
public interface IAccessObserver : IGrainObserver
{
    [Alias("VirtualHostDeleted"), OneWay]
    Task VirtualHostDeleted(string vhost);
}
