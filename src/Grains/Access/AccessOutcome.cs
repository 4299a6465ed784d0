namespace OrleansBroker.Grains.Access;

/// <summary>How a change to the user store went; the HTTP API and the CLI word the refusals as RabbitMQ does.</summary>
public enum AccessOutcome
{
    /// <summary>Done on something that existed (updated, deleted).</summary>
    Done,

    /// <summary>Done, and it is new.</summary>
    Created,

    NoSuchUser,

    NoSuchVirtualHost,

    /// <summary>Create-only and the user or vhost is there already.</summary>
    AlreadyExists,

    /// <summary>Nothing to clear (no permission for that user in that vhost, no topic permission...).</summary>
    NotFound,

    /// <summary>A permission's regular expression does not compile.</summary>
    InvalidRegex,
}
