using System.Text;
using OrleansBroker.Tests.Infrastructure;
using OrleansBroker.Tests.Integration.Cluster;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrleansBroker.Tests.Integration.DirectReplyTo;

/// <summary>Direct reply-to across nodes: the reply name leads to the requester's channel from any node, through Orleans.</summary>
public sealed class DirectReplyToClusterTests
{
    private const string PseudoQueue = "amq.rabbitmq.reply-to";

    [PostgresFact]
    public async Task A_reply_published_on_another_node_reaches_the_requester_and_stops_when_its_channel_closes()
    {
        await using var cluster = await ThreeNodeCluster.StartAsync();
        await using var requesterConnection = await cluster.ConnectAsync(0);
        await using var serverConnection = await cluster.ConnectAsync(1);
        var requester = await requesterConnection.CreateChannelAsync();
        var server = await serverConnection.CreateChannelAsync();
        var requests = BrokerFixture.UniqueName("rpc");
        await requester.QueueDeclareAsync(requests, durable: false, exclusive: false, autoDelete: false);
        var replies = new ReplyInbox(requester);
        var tag = await requester.BasicConsumeAsync(PseudoQueue, autoAck: true, replies.Consumer);

        await requester.BasicPublishAsync(string.Empty, requests, mandatory: false,
            new BasicProperties { ReplyTo = PseudoQueue, CorrelationId = "17" }, Encoding.UTF8.GetBytes("request"));
        BasicGetResult? request = null;
        for (var i = 0; i < 200 && request is null; i++)
        {
            request = await server.BasicGetAsync(requests, autoAck: true);
            if (request is null)
            {
                await Task.Delay(50);
            }
        }

        Assert.NotNull(request);
        var replyTo = request.BasicProperties.ReplyTo!;
        var declared = await server.QueueDeclarePassiveAsync(replyTo);
        Assert.Equal(1u, declared.ConsumerCount);

        await server.BasicPublishAsync(string.Empty, replyTo, mandatory: false, new BasicProperties { CorrelationId = "17" }, Encoding.UTF8.GetBytes("reply"));
        Assert.Equal(new ReceivedReply(tag, string.Empty, replyTo, false, "reply", "17", null), await replies.NextAsync());

        // The requester's channel closes: its name leads nowhere; a mandatory reply comes back, the server's channel stays.
        await requester.CloseAsync();
        var returned = new TaskCompletionSource<ushort>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.BasicReturnAsync += (_, args) =>
        {
            returned.TrySetResult(args.ReplyCode);
            return Task.CompletedTask;
        };
        await server.BasicPublishAsync(string.Empty, replyTo, mandatory: true, new BasicProperties(), Encoding.UTF8.GetBytes("late"));
        Assert.Equal(312, await returned.Task.WaitAsync(ReplyInbox.WaitLimit));
        await replies.AssertNothingAsync();

        var check = await serverConnection.CreateChannelAsync();
        var error = await Assert.ThrowsAsync<OperationInterruptedException>(() => check.QueueDeclarePassiveAsync(replyTo));
        Assert.Equal(404, error.ShutdownReason!.ReplyCode);
        Assert.True(server.IsOpen);
        await server.QueueDeleteAsync(requests);
    }
}
