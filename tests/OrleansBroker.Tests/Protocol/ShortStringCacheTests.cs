using System.Text;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Protocol;

namespace OrleansBroker.Tests.Protocol;

/// <summary>The per-channel cache of exchange names and routing keys that basic.publish decodes through.</summary>
public sealed class ShortStringCacheTests
{
    [Fact]
    public void The_same_bytes_give_the_same_string_instance()
    {
        var cache = new ShortStringCache();
        var first = cache.Get("orders.created"u8);
        var second = cache.Get("orders.created"u8);

        Assert.Equal("orders.created", first);
        Assert.Same(first, second);
    }

    [Fact]
    public void A_prefix_or_an_extension_of_a_cached_key_is_a_different_string()
    {
        var cache = new ShortStringCache();
        Assert.Equal("abc", cache.Get("abc"u8));
        Assert.Equal("ab", cache.Get("ab"u8));
        Assert.Equal("abcd", cache.Get("abcd"u8));
        Assert.Equal("abc", cache.Get("abc"u8));
        Assert.Equal(string.Empty, cache.Get([]));
    }

    [Fact]
    public void Many_distinct_keys_all_decode_correctly_as_slots_are_reused()
    {
        var cache = new ShortStringCache();
        for (var round = 0; round < 3; round++)
        {
            // Lengths grow past the first slot buffers so slots are both reused and replaced.
            for (var i = 0; i < 40; i++)
            {
                var key = new string((char)('a' + (i % 26)), 1 + (i * 7 % 60)) + i;
                Assert.Equal(key, cache.Get(Encoding.UTF8.GetBytes(key)));
            }
        }
    }

    [Fact]
    public void Non_ascii_keys_round_trip_and_malformed_utf8_is_a_format_error()
    {
        var cache = new ShortStringCache();
        Assert.Equal("clé.宛先", cache.Get(Encoding.UTF8.GetBytes("clé.宛先")));

        var error = Assert.Throws<AmqpFormatException>(() => cache.Get([0x61, 0xC3]));
        Assert.True(error.IsMalformedUtf8);
    }

    [Fact]
    public void Publish_decoded_through_the_cache_equals_the_plain_decode()
    {
        var cache = new ShortStringCache();
        foreach (var publish in new[]
        {
            new BasicPublish(0, "amq.topic", "a.b.c", true, false),
            new BasicPublish(0, string.Empty, "queue-1", false, false),
            new BasicPublish(0, "amq.topic", "a.b.c", false, true),
        })
        {
            var arguments = new byte[publish.GetArgumentsSize()];
            var writer = new AmqpWriter(arguments);
            publish.EncodeArguments(ref writer);

            Assert.Equal(BasicPublish.Decode(arguments), BasicPublish.Decode(arguments, cache));
        }
    }
}
