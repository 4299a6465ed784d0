using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.QueueFeatures;

namespace OrleansBroker.Tests.QueueFeatures;

public sealed class QueueArgumentValidationTests
{
    /// <summary>
    /// queue.declare (durable) on the reference broker (RabbitMQ 3.10.8) with these arguments as pika 1.2 encodes them
    /// (small ints as 'I', big ones as 'l', str as 'S', Decimal as 'D'): the 406 reply text after "PRECONDITION_FAILED - ",
    /// or null where the declare succeeded. Recorded by tests/OrleansBroker.Tests/QueueFeatures/reference/declare_args.py.
    /// </summary>
    public static TheoryData<string, string?, FieldTable> ObservedOnReferenceBroker() => new()
    {
        { "q", "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': {value_negative,-1}", Table(("x-message-ttl", -1)) },
        { "q", "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': \"expected integer, got longstr\"", Table(("x-message-ttl", "x")) },
        { "q", "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': {value_too_large,315360000001}", Table(("x-message-ttl", 315360000001L)) },
        { "q", null, Table(("x-message-ttl", 315360000000L)) },
        { "q", "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': \"expected integer, got bool\"", Table(("x-message-ttl", true)) },
        { "q", "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': \"expected integer, got decimal\"", Table(("x-message-ttl", new AmqpDecimal(1, 15))) },
        { "q", "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': \"expected integer, got void\"", Table(("x-message-ttl", null)) },
        { "q", "invalid arg 'x-expires' for queue 'q' in vhost '/': {value_zero,0}", Table(("x-expires", 0)) },
        { "q", "invalid arg 'x-expires' for queue 'q' in vhost '/': {value_negative,-1}", Table(("x-expires", -1)) },
        { "q", "invalid arg 'x-expires' for queue 'q' in vhost '/': \"expected integer, got longstr\"", Table(("x-expires", "x")) },
        { "q", "invalid arg 'x-expires' for queue 'q' in vhost '/': {value_too_large,315360000001}", Table(("x-expires", 315360000001L)) },
        { "q", "invalid arg 'x-max-length' for queue 'q' in vhost '/': {value_negative,-1}", Table(("x-max-length", -1)) },
        { "q", "invalid arg 'x-max-length' for queue 'q' in vhost '/': \"expected integer, got longstr\"", Table(("x-max-length", "x")) },
        { "q", "invalid arg 'x-max-length-bytes' for queue 'q' in vhost '/': {value_negative,-1}", Table(("x-max-length-bytes", -1)) },
        { "q", "invalid arg 'x-overflow' for queue 'q' in vhost '/': invalid_overflow", Table(("x-overflow", "foo")) },
        { "q", "invalid arg 'x-overflow' for queue 'q' in vhost '/': {unacceptable_type,signedint}", Table(("x-overflow", 1)) },
        { "q", "invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue 'q' in vhost '/'", Table(("x-dead-letter-exchange", 1)) },
        { "q", "invalid type 'bool' for arg 'x-dead-letter-exchange' in queue 'q' in vhost '/'", Table(("x-dead-letter-exchange", true)) },
        { "q", "invalid arg 'x-dead-letter-routing-key' for queue 'q' in vhost '/': routing_key_but_no_dlx_defined", Table(("x-dead-letter-routing-key", "rk")) },
        { "q", "invalid arg 'x-dead-letter-routing-key' for queue 'q' in vhost '/': {unacceptable_type,signedint}", Table(("x-dead-letter-exchange", "dlx"), ("x-dead-letter-routing-key", 1)) },
        { "q", "invalid arg 'x-max-priority' for queue 'q' in vhost '/': {max_value_exceeded,256}", Table(("x-max-priority", 256)) },
        { "q", "invalid arg 'x-max-priority' for queue 'q' in vhost '/': {value_negative,-1}", Table(("x-max-priority", -1)) },
        { "q", "invalid arg 'x-max-priority' for queue 'q' in vhost '/': \"expected integer, got longstr\"", Table(("x-max-priority", "x")) },
        { "q", null, Table(("x-max-priority", 255)) },
        { "q", "invalid arg 'x-queue-type' for queue 'q' in vhost '/': \"unsupported queue type 'foo'\"", Table(("x-queue-type", "foo")) },
        { "q", "invalid arg 'x-queue-type' for queue 'q' in vhost '/': {unacceptable_type,signedint}", Table(("x-queue-type", 1)) },
        { "q", "invalid arg 'x-single-active-consumer' for queue 'q' in vhost '/': {unacceptable_type,signedint}", Table(("x-single-active-consumer", 1)) },
        { "q", "invalid arg 'x-single-active-consumer' for queue 'q' in vhost '/': {unacceptable_type,longstr}", Table(("x-single-active-consumer", "true")) },
        { "q", "invalid arg 'x-delivery-limit' for queue 'q' in vhost '/' of queue type rabbit_classic_queue", Table(("x-delivery-limit", 5)) },
        { "q", "invalid arg 'x-queue-mode' for queue 'q' in vhost '/': \"unsupported queue mode 'foo'\"", Table(("x-queue-mode", "foo")) },
        { "q", "invalid arg 'x-queue-mode' for queue 'q' in vhost '/': {unacceptable_type,signedint}", Table(("x-queue-mode", 1)) },
        { "q", "invalid arg 'x-queue-version' for queue 'q' in vhost '/': \"unsupported queue version '3'\"", Table(("x-queue-version", 3)) },
        { "q", "invalid arg 'x-queue-version' for queue 'q' in vhost '/': \"expected integer, got longstr\"", Table(("x-queue-version", "1")) },
        { "q", "invalid arg 'x-max-in-memory-length' for queue 'q' in vhost '/' of queue type rabbit_classic_queue", Table(("x-max-in-memory-length", 5)) },
        { "q", "invalid arg 'x-dead-letter-strategy' for queue 'q' in vhost '/' of queue type rabbit_classic_queue", Table(("x-dead-letter-strategy", "at-least-once")) },
        { "q", "invalid arg 'x-expires' for queue 'q' in vhost '/': {value_zero,0}", Table(("x-message-ttl", -1), ("x-expires", 0)) },
        { "q", "invalid arg 'x-expires' for queue 'q' in vhost '/': {value_zero,0}", Table(("x-expires", 0), ("x-message-ttl", -1)) },
        { "q", "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': {value_negative,-1}", Table(("x-max-length", -1), ("x-message-ttl", -1)) },
        { "q", "invalid arg 'x-max-priority' for queue 'q' in vhost '/': {max_value_exceeded,300}", Table(("x-delivery-limit", 5), ("x-max-priority", 300)) },
        { "q", null, Table(("x-foo", 1)) },
        { "qq", "invalid arg 'x-max-priority' for queue 'qq' in vhost '/' of queue type rabbit_quorum_queue", Table(("x-queue-type", "quorum"), ("x-max-priority", 5)) },
        { "qq", "invalid arg 'x-queue-mode' for queue 'qq' in vhost '/' of queue type rabbit_quorum_queue", Table(("x-queue-type", "quorum"), ("x-queue-mode", "lazy")) },
        { "qq", null, Table(("x-queue-type", "quorum"), ("x-delivery-limit", -1)) },
        { "qq", null, Table(("x-queue-type", "quorum"), ("x-delivery-limit", "x")) },
        { "qq", "invalid arg 'x-dead-letter-strategy' for queue 'qq' in vhost '/': invalid_dlx_strategy", Table(("x-queue-type", "quorum"), ("x-dead-letter-strategy", "foo")) },
        { "qq", "invalid arg 'x-dead-letter-strategy' for queue 'qq' in vhost '/': {unacceptable_type,signedint}", Table(("x-queue-type", "quorum"), ("x-dead-letter-strategy", 1)) },
        { "qq", "invalid arg 'x-quorum-initial-group-size' for queue 'qq' in vhost '/': {value_zero,0}", Table(("x-queue-type", "quorum"), ("x-quorum-initial-group-size", 0)) },
        { "qq", "invalid arg 'x-max-in-memory-length' for queue 'qq' in vhost '/': {value_negative,-1}", Table(("x-queue-type", "quorum"), ("x-max-in-memory-length", -1)) },
        { "qq", "invalid arg 'x-single-active-consumer' for queue 'qq' in vhost '/': {unacceptable_type,signedint}", Table(("x-queue-type", "quorum"), ("x-single-active-consumer", 1)) },
        { "qq", null, Table(("x-queue-type", "quorum"), ("x-overflow", "reject-publish-dlx")) },
        { "qq", "invalid arg 'x-queue-version' for queue 'qq' in vhost '/' of queue type rabbit_quorum_queue", Table(("x-queue-type", "quorum"), ("x-queue-version", 1)) },
        { "qq", "invalid arg 'x-max-priority' for queue 'qq' in vhost '/' of queue type rabbit_quorum_queue", Table(("x-queue-type", "quorum"), ("x-max-priority", 5), ("x-queue-mode", "lazy")) },
        { "qq", "invalid arg 'x-queue-mode' for queue 'qq' in vhost '/' of queue type rabbit_quorum_queue", Table(("x-queue-mode", "lazy"), ("x-queue-type", "quorum"), ("x-max-priority", 5)) },
        { "qq", "invalid arg 'x-message-ttl' for queue 'qq' in vhost '/': {value_negative,-1}", Table(("x-queue-type", "quorum"), ("x-message-ttl", -1), ("x-max-priority", 5)) },
    };

    [Theory]
    [MemberData(nameof(ObservedOnReferenceBroker))]
    public void Refuses_what_RabbitMQ_refuses_with_its_text(string queue, string? expected, FieldTable arguments)
    {
        Assert.Equal(expected, QueueArgumentValidation.FindError("/", queue, arguments));
    }

    /// <summary>A deliberate difference: RabbitMQ 3.10 would declare a stream; the refusal keeps its shape for unknown types.</summary>
    [Fact]
    public void Refuses_streams_naming_them_as_not_supported()
    {
        Assert.Equal(
            "invalid arg 'x-queue-type' for queue 's' in vhost '/': \"unsupported queue type 'stream': streams are not supported by this broker yet\"",
            QueueArgumentValidation.FindError("/", "s", Table(("x-queue-type", "stream"))));
    }

    [Theory]
    [InlineData("x-max-age", "7D")]
    [InlineData("x-stream-max-segment-size-bytes", 1000)]
    [InlineData("x-initial-cluster-size", 3)]
    public void Refuses_arguments_only_streams_know_by_name(string key, object value)
    {
        Assert.Equal(
            $"invalid arg '{key}' for queue 'q' in vhost 'v' of queue type rabbit_classic_queue",
            QueueArgumentValidation.FindError("v", "q", Table((key, value))));
    }

    [Fact]
    public void Refuses_classic_only_arguments_on_quorum_queues_by_name()
    {
        Assert.Equal(
            "invalid arg 'x-queue-master-locator' for queue 'q' in vhost '/' of queue type rabbit_quorum_queue",
            QueueArgumentValidation.FindError("/", "q", Table(("x-queue-type", "quorum"), ("x-queue-master-locator", "min-masters"))));
    }

    [Fact]
    public void Accepts_every_argument_of_each_type_with_good_values()
    {
        var classic = Table(
            ("x-expires", 1000), ("x-message-ttl", 0), ("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", "k"),
            ("x-max-length", 0), ("x-max-length-bytes", 10L), ("x-max-priority", (byte)10), ("x-overflow", "reject-publish-dlx"),
            ("x-queue-mode", "lazy"), ("x-queue-version", 2), ("x-single-active-consumer", true), ("x-queue-type", "classic"),
            ("x-queue-master-locator", "client-local"));
        var quorum = Table(
            ("x-queue-type", "quorum"), ("x-dead-letter-exchange", "dlx"), ("x-dead-letter-strategy", "at-least-once"),
            ("x-overflow", "reject-publish"), ("x-delivery-limit", 3), ("x-max-in-memory-length", 1), ("x-max-in-memory-bytes", 1),
            ("x-quorum-initial-group-size", 3), ("x-queue-leader-locator", "balanced"), ("x-message-ttl", 5), ("x-expires", 5));

        Assert.Null(QueueArgumentValidation.FindError("/", "q", classic));
        Assert.Null(QueueArgumentValidation.FindError("/", "q", quorum));
    }

    [Theory]
    [InlineData("x-quorum-initial-group-size", -1, "{value_negative,-1}")]
    [InlineData("x-queue-leader-locator", "nearest", "invalid_queue_locator_arg")]
    [InlineData("x-queue-leader-locator", 1, "{unacceptable_type,signedint}")]
    public void Quorum_placement_arguments_are_checked_as_RabbitMQ_checks_them(string key, object value, string error)
    {
        Assert.Equal(
            $"invalid arg '{key}' for queue 'q' in vhost '/': {error}",
            QueueArgumentValidation.FindError("/", "q", Table(("x-queue-type", "quorum"), new(key, value))));
    }

    [Fact]
    public void Quotes_a_value_that_is_not_printable_Latin1_as_Erlang_does()
    {
        // ~p prints a string holding the bytes of "€" (E2 82 AC; 0x82 is not printable) as a list of integers.
        Assert.Equal(
            "invalid arg 'x-queue-mode' for queue 'q' in vhost '/': [117,110,115,117,112,112,111,114,116,101,100,32,113,117,101,117,101,32,109,111,100,101,32,39,226,130,172,39]",
            QueueArgumentValidation.FindError("/", "q", Table(("x-queue-mode", "€"))));
    }

    [Fact]
    public void Validate_throws_precondition_failed()
    {
        var exception = Assert.Throws<BrokerException>(() => QueueArgumentValidation.Validate("/", "q", Table(("x-max-length", -1))));

        Assert.Equal(ReplyCode.PreconditionFailed, exception.Code);
        Assert.Equal("PRECONDITION_FAILED - invalid arg 'x-max-length' for queue 'q' in vhost '/': {value_negative,-1}", exception.ReplyText);
    }

    private static FieldTable Table(params (string Key, object? Value)[] entries) => new(entries.Select(e => new KeyValuePair<string, object?>(e.Key, e.Value)));
}
