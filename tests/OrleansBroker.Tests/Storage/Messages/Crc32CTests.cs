using System.Text;
using OrleansBroker.Silo.Storage.Messages;

namespace OrleansBroker.Tests.Storage.Messages;

public sealed class Crc32CTests
{
    [Fact]
    public void CheckValueOfTheCatalogue() => Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void EmptyInputIsZero() => Assert.Equal(0u, Crc32C.Compute([]));

    // RFC 3720 (iSCSI), appendix B.4: 32-byte test patterns.
    [Fact]
    public void Rfc3720Vectors()
    {
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        Assert.Equal(0x113FDB5Cu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray()));
    }

    [Fact]
    public void PiecesGiveTheSameChecksumAsTheWhole()
    {
        var data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 13)).ToArray();
        var whole = Crc32C.Compute(data);
        foreach (var cut in new[] { 0, 1, 7, 8, 9, 500, 999, 1000 })
        {
            var running = Crc32C.Append(Crc32C.Start, data.AsSpan(0, cut));
            Assert.Equal(whole, Crc32C.Finish(Crc32C.Append(running, data.AsSpan(cut))));
        }
    }
}
