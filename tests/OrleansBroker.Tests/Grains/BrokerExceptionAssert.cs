using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Tests.Grains;

/// <summary>A grain call refused as a client would see it: the reply code and RabbitMQ's reply text.</summary>
public static class BrokerExceptionAssert
{
    public static async Task<BrokerException> RefusedAsync(ReplyCode code, string replyText, Func<ValueTask> call)
    {
        var refused = await Assert.ThrowsAsync<BrokerException>(async () => await call());
        Assert.Equal(code, refused.Code);
        Assert.Equal(replyText, refused.ReplyText);
        return refused;
    }

    public static Task<BrokerException> RefusedAsync<T>(ReplyCode code, string replyText, Func<ValueTask<T>> call) =>
        RefusedAsync(code, replyText, async ValueTask () => await call());
}
