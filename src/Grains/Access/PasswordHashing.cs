using System.Security.Cryptography;
using System.Text;

namespace OrleansBroker.Grains.Access;

/// <summary>
/// RabbitMQ's password hashes (rabbit_password): base64(salt ++ digest(salt ++ UTF-8 password)) with a random 4-byte
/// salt, so a hash exported in RabbitMQ's definitions verifies here and ours there. New hashes use SHA-256 (RabbitMQ's
/// default); SHA-512 and MD5 hashes (older RabbitMQ, or other settings) are accepted on import and verify.
/// </summary>
public static class PasswordHashing
{
    public const string Sha256 = "rabbit_password_hashing_sha256";

    public const string Sha512 = "rabbit_password_hashing_sha512";

    public const string Md5 = "rabbit_password_hashing_md5";

    private const int SaltLength = 4;

    /// <summary>True for an algorithm name this store can verify.</summary>
    public static bool IsKnown(string algorithm) => DigestLength(algorithm) > 0;

    /// <summary>A salted hash of the password, in the definitions format.</summary>
    public static string Hash(string password, string algorithm = Sha256)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        return Convert.ToBase64String([.. salt, .. Digest(algorithm, salt, password)]);
    }

    /// <summary>
    /// True when the password is the one hashed; false for an empty hash (a user without a password), a malformed one
    /// or an unknown algorithm. The comparison takes the same time wherever the digests differ.
    /// </summary>
    public static bool Verify(string password, string hash, string algorithm)
    {
        var length = DigestLength(algorithm);
        if (length == 0 || hash.Length == 0)
        {
            return false;
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(hash);
        }
        catch (FormatException)
        {
            return false;
        }

        if (decoded.Length != SaltLength + length)
        {
            return false;
        }

        var expected = Digest(algorithm, decoded.AsSpan(0, SaltLength), password);
        return CryptographicOperations.FixedTimeEquals(expected, decoded.AsSpan(SaltLength));
    }

    private static int DigestLength(string algorithm) => algorithm switch
    {
        Sha256 => SHA256.HashSizeInBytes,
        Sha512 => SHA512.HashSizeInBytes,
        Md5 => MD5.HashSizeInBytes,
        _ => 0,
    };

    private static byte[] Digest(string algorithm, ReadOnlySpan<byte> salt, string password)
    {
        var input = new byte[salt.Length + Encoding.UTF8.GetByteCount(password)];
        salt.CopyTo(input);
        Encoding.UTF8.GetBytes(password, input.AsSpan(salt.Length));
        return algorithm switch
        {
            Sha256 => SHA256.HashData(input),
            Sha512 => SHA512.HashData(input),
            Md5 => MD5.HashData(input),
            _ => throw new ArgumentException($"unknown hashing algorithm '{algorithm}'", nameof(algorithm)),
        };
    }
}
