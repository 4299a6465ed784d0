namespace OrleansBroker.Grains.Access;

/// <summary>
/// A user of the internal user store, as RabbitMQ's definitions hold one: the name, the password hash in the
/// definitions format (base64 of a 4-byte salt followed by the digest of salt ++ UTF-8 password; empty: no password,
/// so no password login) and the algorithm that made it (<see cref="PasswordHashing"/>'s names), and the tags
/// (<see cref="UserTags"/> has the ones RabbitMQ acts on; any other tag is kept as given).
/// </summary>
[GenerateSerializer, Immutable, Alias("ob.UserRecord")]
public sealed record UserRecord(string Name, string PasswordHash, string HashingAlgorithm, string[] Tags)
{
    /// <summary>True when the user has the tag (tags compare ordinally, as RabbitMQ's atoms).</summary>
    public bool HasTag(string tag) => Array.IndexOf(Tags, tag) >= 0;

    /// <summary>A user with a fresh salted hash of the password made with the default algorithm (SHA-256).</summary>
    public static UserRecord WithPassword(string name, string password, params string[] tags) =>
        new(name, PasswordHashing.Hash(password, PasswordHashing.Sha256), PasswordHashing.Sha256, tags);
}
