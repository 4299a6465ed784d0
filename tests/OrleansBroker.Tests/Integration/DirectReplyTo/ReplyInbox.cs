using System.Text;
using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrleansBroker.Tests.Integration.DirectReplyTo;

/// <summary>What a basic.deliver carried, copied out of the event (its body is only valid during the callback).</summary>
internal sealed record ReceivedReply(string ConsumerTag, string Exchange, string RoutingKey, bool Redelivered, string Body, string? CorrelationId, string? ReplyTo);

/// <summary>Deliveries to one consumer, in order; waits are bounded.</summary>
internal sealed class ReplyInbox
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    /// <summary>How long a test watches for a reply that must not arrive (every such test also checks a positive fact).</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(500);

    private readonly Channel<ReceivedReply> _received = Channel.CreateUnbounded<ReceivedReply>();

    public ReplyInbox(IChannel channel)
    {
        Consumer = new AsyncEventingBasicConsumer(channel);
        Consumer.ReceivedAsync += (_, args) =>
        {
            _received.Writer.TryWrite(new ReceivedReply(
                args.ConsumerTag, args.Exchange, args.RoutingKey, args.Redelivered, Encoding.UTF8.GetString(args.Body.Span),
                args.BasicProperties.CorrelationId, args.BasicProperties.ReplyTo));
            return Task.CompletedTask;
        };
    }

    public AsyncEventingBasicConsumer Consumer { get; }

    public async Task<ReceivedReply> NextAsync()
    {
        using var timeout = new CancellationTokenSource(WaitLimit);
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    public async Task AssertNothingAsync()
    {
        await Task.Delay(QuietPeriod);
        Assert.False(_received.Reader.TryRead(out var unexpected), $"unexpected delivery: {unexpected}");
    }
}
