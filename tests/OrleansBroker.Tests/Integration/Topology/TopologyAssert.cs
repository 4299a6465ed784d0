using System.Text;
using OrleansBroker.Tests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace OrleansBroker.Tests.Integration.Topology;

/// <summary>AMQP 0-9-1 class and method ids as they appear in channel.close / connection.close.</summary>
internal static class Amqp
{
    public const ushort ExchangeClass = 40;
    public const ushort ExchangeDeclare = 10;
    public const ushort ExchangeDelete = 20;
    public const ushort ExchangeBind = 30;
    public const ushort ExchangeUnbind = 40;

    public const ushort QueueClass = 50;
    public const ushort QueueDeclare = 10;
    public const ushort QueueBind = 20;
    public const ushort QueuePurge = 30;
    public const ushort QueueDelete = 40;
    public const ushort QueueUnbind = 50;

    public const ushort BasicClass = 60;
    public const ushort BasicConsume = 20;
    public const ushort BasicPublish = 40;
    public const ushort BasicGet = 70;

    public const ushort AccessRefused = 403;
    public const ushort NotFound = 404;
    public const ushort ResourceLocked = 405;
    public const ushort PreconditionFailed = 406;
    public const ushort CommandInvalid = 503;
    public const ushort NoRoute = 312;
}

/// <summary>Assertions and small helpers shared by the topology tests.</summary>
internal static class TopologyAssert
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="action"/>, expects the channel (or connection) to be closed with exactly this error.</summary>
    public static async Task<ShutdownEventArgs> ClosedWithAsync(
        Func<Task> action, ushort replyCode, string replyText, ushort classId, ushort methodId)
    {
        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(action);
        var reason = ex.ShutdownReason;
        Assert.NotNull(reason);
        AssertReason(reason, replyCode, replyText, classId, methodId);
        return reason;
    }

    public static void AssertReason(ShutdownEventArgs reason, ushort replyCode, string replyText, ushort classId, ushort methodId)
    {
        Assert.Equal(ShutdownInitiator.Peer, reason.Initiator);
        Assert.True(
            replyText == reason.ReplyText,
            $"reply text differs{Environment.NewLine}expected: {replyText}{Environment.NewLine}actual:   {reason.ReplyText}");
        Assert.Equal(replyCode, reason.ReplyCode);
        Assert.Equal(classId, reason.ClassId);
        Assert.Equal(methodId, reason.MethodId);
    }

    /// <summary>A task that completes with the channel's shutdown reason.</summary>
    public static Task<ShutdownEventArgs> ShutdownOf(IChannel channel)
    {
        var tcs = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.ChannelShutdownAsync += (_, args) =>
        {
            tcs.TrySetResult(args);
            return Task.CompletedTask;
        };
        if (channel.CloseReason is { } already)
        {
            tcs.TrySetResult(already);
        }

        return tcs.Task;
    }

    /// <summary>A task that completes with the connection's shutdown reason.</summary>
    public static Task<ShutdownEventArgs> ShutdownOf(IConnection connection)
    {
        var tcs = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, args) =>
        {
            tcs.TrySetResult(args);
            return Task.CompletedTask;
        };
        if (connection.CloseReason is { } already)
        {
            tcs.TrySetResult(already);
        }

        return tcs.Task;
    }

    public static async Task<T> Within<T>(Task<T> task, string what)
    {
        var winner = await Task.WhenAny(task, Task.Delay(WaitLimit));
        Assert.True(winner == task, $"timed out after {WaitLimit.TotalSeconds} s waiting for {what}");
        return await task;
    }

    /// <summary>Passive-declares on a fresh channel; returns null when the queue exists, else the close reason.</summary>
    public static async Task<ShutdownEventArgs?> TryQueuePassiveAsync(IConnection conn, string queue)
    {
        await using var ch = await conn.CreateChannelAsync();
        try
        {
            await ch.QueueDeclarePassiveAsync(queue);
            return null;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason is not null)
        {
            return ex.ShutdownReason;
        }
    }

    /// <summary>Passive-declares on a fresh channel; returns null when the exchange exists, else the close reason.</summary>
    public static async Task<ShutdownEventArgs?> TryExchangePassiveAsync(IConnection conn, string exchange)
    {
        await using var ch = await conn.CreateChannelAsync();
        try
        {
            await ch.ExchangeDeclarePassiveAsync(exchange);
            return null;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason is not null)
        {
            return ex.ShutdownReason;
        }
    }

    public static async Task QueueExistsAsync(IConnection conn, string queue) =>
        Assert.Null(await TryQueuePassiveAsync(conn, queue));

    public static async Task ExchangeExistsAsync(IConnection conn, string exchange) =>
        Assert.Null(await TryExchangePassiveAsync(conn, exchange));

    public static async Task QueueMissingAsync(IConnection conn, string queue)
    {
        var reason = await TryQueuePassiveAsync(conn, queue);
        Assert.NotNull(reason);
        AssertReason(reason, Amqp.NotFound, $"NOT_FOUND - no queue '{queue}' in vhost '/'", Amqp.QueueClass, Amqp.QueueDeclare);
    }

    public static async Task ExchangeMissingAsync(IConnection conn, string exchange)
    {
        var reason = await TryExchangePassiveAsync(conn, exchange);
        Assert.NotNull(reason);
        AssertReason(reason, Amqp.NotFound, $"NOT_FOUND - no exchange '{exchange}' in vhost '/'", Amqp.ExchangeClass, Amqp.ExchangeDeclare);
    }

    /// <summary>
    /// Some deletions happen after the triggering reply (an exclusive queue goes when the broker notices its
    /// owner is gone): poll with a bound until the queue is gone, then assert the 404.
    /// </summary>
    public static async Task QueueEventuallyMissingAsync(IConnection conn, string queue)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (await TryQueuePassiveAsync(conn, queue) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"queue '{queue}' still exists after {WaitLimit.TotalSeconds} s");
            await Task.Delay(50);
        }

        await QueueMissingAsync(conn, queue);
    }

    public static Task<IChannel> ConfirmingChannelAsync(IConnection conn) =>
        conn.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

    /// <summary>Publishes on a channel made by <see cref="ConfirmingChannelAsync"/>: returns once the broker confirmed.</summary>
    public static async Task PublishAsync(IChannel ch, string exchange, string routingKey, string body, IDictionary<string, object?>? headers = null)
    {
        var props = new BasicProperties { Headers = headers };
        await ch.BasicPublishAsync(exchange, routingKey, mandatory: false, props, Encoding.UTF8.GetBytes(body));
    }

    /// <summary>Drains the queue with basic.get (auto-ack) and returns the bodies in order.</summary>
    public static async Task<List<string>> DrainAsync(IChannel ch, string queue)
    {
        var bodies = new List<string>();
        while (await ch.BasicGetAsync(queue, autoAck: true) is { } got)
        {
            bodies.Add(Encoding.UTF8.GetString(got.Body.Span));
        }

        return bodies;
    }
}
