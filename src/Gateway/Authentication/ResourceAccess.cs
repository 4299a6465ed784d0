namespace OrleansBroker.Gateway.Authentication;

/// <summary>The three permissions RabbitMQ checks on a queue or an exchange.</summary>
internal enum ResourceAccess
{
    Configure,
    Write,
    Read,
}
