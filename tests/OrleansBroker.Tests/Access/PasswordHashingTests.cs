using OrleansBroker.Grains.Access;

namespace OrleansBroker.Tests.Access;

/// <summary>RabbitMQ's password hash format: hashes RabbitMQ made verify here, ours have its shape.</summary>
public sealed class PasswordHashingTests
{
    [Fact]
    public void A_hash_exported_by_RabbitMQ_3_10_8_verifies()
    {
        // PUT /api/users/alice {"password":"s3cret-ü"} on the reference broker, then GET /api/users/alice.
        const string hash = "Q7mZuLy8vIfMhDtifXSs7JJaPCrNZ5UeQlV0NOLXm0fGOK5x";

        Assert.True(PasswordHashing.Verify("s3cret-ü", hash, PasswordHashing.Sha256));
        Assert.False(PasswordHashing.Verify("s3cret-u", hash, PasswordHashing.Sha256));
        Assert.False(PasswordHashing.Verify("s3cret-ü", hash, PasswordHashing.Sha512));
    }

    [Theory]
    // base64(01020304 ++ digest(01020304 ++ "pass-word")), computed with Python's hashlib.
    [InlineData(PasswordHashing.Sha512, "AQIDBNFSY4GvbpeENEc+EKPyF0nZ9v9JMS8hGKGNQn5aRtw8o7Ga2uDonCTwSPGADaYAf52SmSytjs/mkdHI0/xRSYE=")]
    [InlineData(PasswordHashing.Md5, "AQIDBAZLI9MrDg5uCdbDFhGzxXs=")]
    public void Sha512_and_md5_hashes_verify(string algorithm, string hash)
    {
        Assert.True(PasswordHashing.Verify("pass-word", hash, algorithm));
        Assert.False(PasswordHashing.Verify("pass-wore", hash, algorithm));
    }

    [Fact]
    public void A_new_hash_is_salted_sha256_in_the_definitions_format()
    {
        var first = PasswordHashing.Hash("guest");
        var second = PasswordHashing.Hash("guest");

        Assert.Equal(4 + 32, Convert.FromBase64String(first).Length);
        Assert.NotEqual(first, second);
        Assert.True(PasswordHashing.Verify("guest", first, PasswordHashing.Sha256));
        Assert.True(PasswordHashing.Verify("guest", second, PasswordHashing.Sha256));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AQIDBA==")]
    public void An_empty_or_malformed_hash_never_verifies(string hash)
    {
        Assert.False(PasswordHashing.Verify(string.Empty, hash, PasswordHashing.Sha256));
        Assert.False(PasswordHashing.Verify("guest", hash, PasswordHashing.Sha256));
    }

    [Fact]
    public void An_unknown_algorithm_never_verifies()
    {
        Assert.False(PasswordHashing.IsKnown("rabbit_password_hashing_sha1"));
        Assert.False(PasswordHashing.Verify("guest", PasswordHashing.Hash("guest"), "rabbit_password_hashing_sha1"));
    }
}
