using OrleansBroker.Amqp;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>Grain states to store, holding every field-table value type the wire can carry.</summary>
internal static class SampleStates
{
    /// <summary>
    /// One entry per wire type, plus the awkward cases: keys out of sorted order and repeated (wire order and
    /// duplicates must survive), empty values, a long string that is not UTF-8, nesting of tables in arrays in tables.
    /// </summary>
    public static FieldTable EveryValueType() => new(
    [
        new("z-first-key", "keys are not sorted"),
        new("t-true", true),
        new("t-false", false),
        new("b", (sbyte)-128),
        new("B", (byte)255),
        new("s", (short)-32768),
        new("u", (ushort)65535),
        new("I", int.MinValue),
        new("i", uint.MaxValue),
        new("l", long.MinValue),
        new("f", 3.25f),
        new("f-tiny", float.Epsilon),
        new("d", -0.0d),
        new("d-max", double.MaxValue),
        new("D", new AmqpDecimal(3, -123456)),
        new("S", "ünïcödé ✓ 🐇 \"quoted\" \\ <html> \u0000 nul"),
        new("S-empty", string.Empty),
        new("S-not-utf8", new AmqpLongString([0xFF, 0xFE, 0x41, 0xC3])),
        new("x", new byte[] { 0, 1, 2, 0x7F, 0x80, 0xFF }),
        new("x-empty", Array.Empty<byte>()),
        new("T", new AmqpTimestamp(ulong.MaxValue)),
        new("V", null),
        new("A", new List<object?>
        {
            1,
            (byte)1,
            "one",
            null,
            new List<object?> { (short)2, new List<object?>() },
            new FieldTable([new("in-array", 2L)]),
        }),
        new("A-empty", new List<object?>()),
        new("F", new FieldTable(
        [
            new("nested", new FieldTable([new("deeper", (ushort)7), new("x", new byte[] { 9 })])),
            new("count", 3u),
        ])),
        new("F-empty", FieldTable.Empty),
        new("dup", 1),
        new("dup", "second value of a repeated key"),
        new("a-last-key", 0),
    ]);

    public static ExchangeDeclaration Exchange(string name, FieldTable arguments) =>
        new(name, "topic", Durable: true, AutoDelete: false, Internal: true, arguments);

    public static QueueDeclaration Queue(string name, FieldTable arguments) =>
        new(name, Durable: true, Exclusive: false, AutoDelete: true, arguments);

    /// <summary>A vhost directory with names inserted out of order, names that differ only in case, and every argument type.</summary>
    public static VirtualHostState VirtualHost()
    {
        var state = new VirtualHostState { Initialized = true };
        state.Exchanges["zeta"] = Exchange("zeta", EveryValueType());
        state.Exchanges[""] = new ExchangeDeclaration("", "direct", true, false, false, FieldTable.Empty);
        state.Exchanges["amq.topic"] = Exchange("amq.topic", FieldTable.Empty);
        state.Exchanges["Amq.Topic"] = Exchange("Amq.Topic", new FieldTable([new("alternate-exchange", "zeta")]));
        state.Queues["task_queue"] = new QueueRecord(Queue("task_queue", EveryValueType()), ExclusiveOwner: null);
        state.Queues["amq.gen-Xy_1"] = new QueueRecord(
            new QueueDeclaration("amq.gen-Xy_1", Durable: false, Exclusive: true, AutoDelete: true,
                new FieldTable([new("x-message-ttl", 60000), new("x-queue-type", "classic")])),
            ExclusiveOwner: "127.0.0.1:50312 -> 127.0.0.1:5672");
        state.Queues["Task_Queue"] = new QueueRecord(Queue("Task_Queue", FieldTable.Empty), ExclusiveOwner: null);
        return state;
    }

    public static ExchangeState Exchange() => new()
    {
        VirtualHost = "/",
        Declaration = Exchange("logs", EveryValueType()),
        Bindings =
        [
            new Binding("logs", BindingDestination.Queue("q1"), "kern.*", FieldTable.Empty),
            new Binding("logs", BindingDestination.Exchange("downstream"), "#", EveryValueType()),
            new Binding("logs", BindingDestination.Queue("q1"), "kern.*", new FieldTable([new("x-match", "all")])),
        ],
    };

    public static QueueState Queue() => new()
    {
        VirtualHost = "vhost with spaces/and slash",
        Declaration = Queue("orders", EveryValueType()),
        ExclusiveOwner = "connection 7",
    };
}
