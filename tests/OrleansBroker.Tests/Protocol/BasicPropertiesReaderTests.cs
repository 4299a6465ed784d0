using OrleansBroker.Amqp;
using static OrleansBroker.Tests.Protocol.WireBytes;

namespace OrleansBroker.Tests.Protocol;

public sealed class BasicPropertiesReaderTests
{
    private static readonly MessageProperties AllFourteen = new()
    {
        ContentType = "application/json",
        ContentEncoding = "gzip",
        Headers = new FieldTable([new("x-retries", 3), new("tenant", "acme")]),
        DeliveryMode = 2,
        Priority = 7,
        CorrelationId = "corr-1",
        ReplyTo = "amq.rabbitmq.reply-to",
        Expiration = "60000",
        MessageId = "msg-1",
        Timestamp = new AmqpTimestamp(1_700_000_000),
        Type = "order.created",
        UserId = "guest",
        AppId = "shop",
        ClusterId = "c1",
    };

    /// <summary>All 14 properties laid out by hand: flags 0xFFFC, then each property in spec order.</summary>
    private static readonly byte[] AllFourteenBytes = Concat(
        Short(0xFFFC),
        ShortString("application/json"),
        ShortString("gzip"),
        LengthPrefixed(Entry("x-retries", 'I', 0, 0, 0, 3), Entry("tenant", 'S', LongString("acme"))),
        [2],
        [7],
        ShortString("corr-1"),
        ShortString("amq.rabbitmq.reply-to"),
        ShortString("60000"),
        ShortString("msg-1"),
        LongLong(1_700_000_000),
        ShortString("order.created"),
        ShortString("guest"),
        ShortString("shop"),
        ShortString("c1"));

    [Fact]
    public void Writer_lays_out_all_fourteen_properties_as_the_spec_does()
    {
        Assert.Equal(AllFourteenBytes, BasicPropertiesWriter.ToArray(AllFourteen));
        Assert.Equal(AllFourteenBytes.Length, BasicPropertiesWriter.GetSize(AllFourteen));
    }

    [Fact]
    public void Read_gives_all_fourteen_properties()
    {
        Assert.Equal(AllFourteen, BasicPropertiesReader.Read(AllFourteenBytes));
    }

    [Fact]
    public void Summary_reads_what_the_broker_acts_on()
    {
        var summary = BasicPropertiesReader.ReadSummary(AllFourteenBytes);
        Assert.Equal(new BasicPropertiesSummary(2, 7, HasHeaders: true, "60000", "guest"), summary);
        Assert.Equal(AllFourteen.Headers, BasicPropertiesReader.ReadHeaders(AllFourteenBytes));
    }

    [Fact]
    public void Absent_properties_are_zero_and_null()
    {
        byte[] none = [0, 0];
        Assert.Equal(new BasicPropertiesSummary(0, 0, false, null, null), BasicPropertiesReader.ReadSummary(none));
        Assert.Same(FieldTable.Empty, BasicPropertiesReader.ReadHeaders(none));
        Assert.Equal(new MessageProperties(), BasicPropertiesReader.Read(none));
        Assert.Equal(none, BasicPropertiesWriter.ToArray(new MessageProperties()));
    }

    [Theory]
    [InlineData("ContentType")]
    [InlineData("ContentEncoding")]
    [InlineData("Headers")]
    [InlineData("DeliveryMode")]
    [InlineData("Priority")]
    [InlineData("CorrelationId")]
    [InlineData("ReplyTo")]
    [InlineData("Expiration")]
    [InlineData("MessageId")]
    [InlineData("Timestamp")]
    [InlineData("Type")]
    [InlineData("UserId")]
    [InlineData("AppId")]
    [InlineData("ClusterId")]
    public void Each_property_alone_round_trips(string property)
    {
        var one = OnlyProperty(property);
        var raw = BasicPropertiesWriter.ToArray(one);

        Assert.Equal(one, BasicPropertiesReader.Read(raw));
        var summary = BasicPropertiesReader.ReadSummary(raw);
        Assert.Equal(one.DeliveryMode ?? 0, summary.DeliveryMode);
        Assert.Equal(one.Priority ?? 0, summary.Priority);
        Assert.Equal(one.Headers is not null, summary.HasHeaders);
        Assert.Equal(one.Expiration, summary.Expiration);
        Assert.Equal(one.UserId, summary.UserId);
        Assert.Equal(one.Headers ?? FieldTable.Empty, BasicPropertiesReader.ReadHeaders(raw));
    }

    [Fact]
    public void Continuation_flag_words_are_read_past()
    {
        // Bit 0 set: another flags word follows; that one sets bit 0 too, so a third follows.
        var raw = Concat(
            Short(0x1000 | 0x0100 | 0x0001),
            Short(0x8001),
            Short(0x0000),
            [2],
            ShortString("500"));

        Assert.Equal(new BasicPropertiesSummary(2, 0, false, "500", null), BasicPropertiesReader.ReadSummary(raw));
        Assert.Equal(new MessageProperties { DeliveryMode = 2, Expiration = "500" }, BasicPropertiesReader.Read(raw));
        Assert.Same(FieldTable.Empty, BasicPropertiesReader.ReadHeaders(raw));

        var withHeaders = Concat(Short(0x2001), Short(0), LengthPrefixed(Entry("a", 'V')));
        Assert.Equal("a", Assert.Single(BasicPropertiesReader.ReadHeaders(withHeaders)).Key);
    }

    [Fact]
    public void Every_strict_prefix_throws_AmqpFormatException()
    {
        for (var length = 0; length < AllFourteenBytes.Length; length++)
        {
            var prefix = AllFourteenBytes[..length];
            Assert.Throws<AmqpFormatException>(() => BasicPropertiesReader.ReadSummary(prefix));
            Assert.Throws<AmqpFormatException>(() => BasicPropertiesReader.Read(prefix));
        }
    }

    [Fact]
    public void A_malformed_headers_table_is_refused_even_by_the_summary()
    {
        var raw = Concat(Short(0x2000), LengthPrefixed(Entry("k", '?', 0)));
        Assert.Throws<AmqpFormatException>(() => BasicPropertiesReader.ReadSummary(raw));
        Assert.Throws<AmqpFormatException>(() => BasicPropertiesReader.ReadHeaders(raw));
    }

    [Fact]
    public void Summary_allocates_nothing_without_expiration_or_user_id()
    {
        var raw = BasicPropertiesWriter.ToArray(AllFourteen with { Expiration = null, UserId = null });
        BasicPropertiesReader.ReadSummary(raw);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var summary = BasicPropertiesReader.ReadSummary(raw);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(new BasicPropertiesSummary(2, 7, true, null, null), summary);
    }

    [Fact]
    public void Properties_written_by_RabbitMQ_Client_read_back()
    {
        var properties = new RabbitMQ.Client.BasicProperties
        {
            ContentType = "text/plain",
            ContentEncoding = "utf-8",
            Headers = new Dictionary<string, object?> { ["x-death-count"] = 2L },
            DeliveryMode = RabbitMQ.Client.DeliveryModes.Persistent,
            Priority = 9,
            CorrelationId = "c",
            ReplyTo = "r",
            Expiration = "1000",
            MessageId = "m",
            Timestamp = new RabbitMQ.Client.AmqpTimestamp(1234),
            Type = "t",
            UserId = "guest",
            AppId = "a",
            ClusterId = "cl",
        };
        var raw = RabbitMqClientEncoding.Properties(properties);

        var expected = new MessageProperties
        {
            ContentType = "text/plain",
            ContentEncoding = "utf-8",
            Headers = new FieldTable([new("x-death-count", 2L)]),
            DeliveryMode = 2,
            Priority = 9,
            CorrelationId = "c",
            ReplyTo = "r",
            Expiration = "1000",
            MessageId = "m",
            Timestamp = new AmqpTimestamp(1234),
            Type = "t",
            UserId = "guest",
            AppId = "a",
            ClusterId = "cl",
        };
        Assert.Equal(expected, BasicPropertiesReader.Read(raw));
        Assert.Equal(new BasicPropertiesSummary(2, 9, true, "1000", "guest"), BasicPropertiesReader.ReadSummary(raw));
        Assert.Equal(raw, BasicPropertiesWriter.ToArray(expected));
    }

    private static MessageProperties OnlyProperty(string property) => property switch
    {
        "ContentType" => new MessageProperties { ContentType = AllFourteen.ContentType },
        "ContentEncoding" => new MessageProperties { ContentEncoding = AllFourteen.ContentEncoding },
        "Headers" => new MessageProperties { Headers = AllFourteen.Headers },
        "DeliveryMode" => new MessageProperties { DeliveryMode = AllFourteen.DeliveryMode },
        "Priority" => new MessageProperties { Priority = AllFourteen.Priority },
        "CorrelationId" => new MessageProperties { CorrelationId = AllFourteen.CorrelationId },
        "ReplyTo" => new MessageProperties { ReplyTo = AllFourteen.ReplyTo },
        "Expiration" => new MessageProperties { Expiration = AllFourteen.Expiration },
        "MessageId" => new MessageProperties { MessageId = AllFourteen.MessageId },
        "Timestamp" => new MessageProperties { Timestamp = AllFourteen.Timestamp },
        "Type" => new MessageProperties { Type = AllFourteen.Type },
        "UserId" => new MessageProperties { UserId = AllFourteen.UserId },
        "AppId" => new MessageProperties { AppId = AllFourteen.AppId },
        "ClusterId" => new MessageProperties { ClusterId = AllFourteen.ClusterId },
        _ => throw new ArgumentOutOfRangeException(nameof(property)),
    };
}
