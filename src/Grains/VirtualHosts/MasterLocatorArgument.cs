using OrleansBroker.Amqp;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.QueueFeatures;
using OrleansBroker.Grains.Routing;

namespace OrleansBroker.Grains.VirtualHosts;

/// <summary>
/// x-queue-master-locator of a new classic queue must name a locator. RabbitMQ 3.10 does not check it at declare and
/// its channel crashes when it places the queue (541 INTERNAL_ERROR, docs/cluster-behaviour.md); here it is a clean
/// 406 in the form of its other argument checks.
/// </summary>
internal static class MasterLocatorArgument
{
    public static void Validate(string virtualHost, string queueName, FieldTable arguments)
    {
        if (!arguments.TryGetValue("x-queue-master-locator", out var value))
        {
            return;
        }

        var text = value switch
        {
            string s => s,
            AmqpLongString l => l.ToString(),
            _ => null,
        };
        var error = text is null ? $"{{unacceptable_type,{ErlangTermText.TypeName(value)}}}"
            : QueueSettingValues.MasterLocators.Contains(text) ? null
            : $"{{unacceptable_value,<<\"{text}\">>}}";
        if (error is not null)
        {
            throw BrokerException.PreconditionFailed($"invalid arg 'x-queue-master-locator' for {QueueResourceText.Of(virtualHost, queueName)}: {error}");
        }
    }
}
