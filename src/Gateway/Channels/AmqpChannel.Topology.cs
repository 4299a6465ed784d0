using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Gateway.Channels;

/// <summary>exchange.* and queue.* methods: the virtual host grain does the work.</summary>
internal sealed partial class AmqpChannel
{
    private async ValueTask ExchangeDeclareAsync(ExchangeDeclare declare)
    {
        _access.ExchangeDeclare(declare.Exchange, declare.Passive, declare.Arguments);
        var declaration = new ExchangeDeclaration(declare.Exchange, declare.Type, declare.Durable, declare.AutoDelete, declare.Internal, declare.Arguments);
        await VirtualHost.DeclareExchange(declaration, declare.Passive);
        if (!declare.NoWait)
        {
            _connection.SendMethod(Number, default(ExchangeDeclareOk));
        }
    }

    private async ValueTask ExchangeDeleteAsync(ExchangeDelete delete)
    {
        _access.ExchangeDelete(delete.Exchange);
        await VirtualHost.DeleteExchange(delete.Exchange, delete.IfUnused);
        if (!delete.NoWait)
        {
            _connection.SendMethod(Number, default(ExchangeDeleteOk));
        }
    }

    private async ValueTask ExchangeBindAsync(ExchangeBind bind)
    {
        _access.ExchangeBind(bind.Destination, bind.Source, bind.RoutingKey, AmqpMethodIds.ExchangeBind);
        var binding = new Binding(bind.Source, BindingDestination.Exchange(bind.Destination), bind.RoutingKey, bind.Arguments);
        await VirtualHost.Bind(binding, ConnectionId);
        if (!bind.NoWait)
        {
            _connection.SendMethod(Number, default(ExchangeBindOk));
        }
    }

    private async ValueTask ExchangeUnbindAsync(ExchangeUnbind unbind)
    {
        _access.ExchangeBind(unbind.Destination, unbind.Source, unbind.RoutingKey, AmqpMethodIds.ExchangeUnbind);
        var binding = new Binding(unbind.Source, BindingDestination.Exchange(unbind.Destination), unbind.RoutingKey, unbind.Arguments);
        await VirtualHost.Unbind(binding, ConnectionId);
        if (!unbind.NoWait)
        {
            _connection.SendMethod(Number, default(ExchangeUnbindOk));
        }
    }

    private async ValueTask QueueDeclareAsync(QueueDeclare declare)
    {
        if (IsDirectReplyToName(declare.Queue))
        {
            await DeclareDirectReplyToAsync(declare);
            return;
        }

        var declaration = new QueueDeclaration(declare.Queue, declare.Durable, declare.Exclusive, declare.AutoDelete, declare.Arguments);
        var name = declare.Passive ? QueueName(declare.Queue, AmqpMethodIds.QueueDeclare) : declare.Queue;
        _access.QueueDeclare(name, declare.Passive, declare.Arguments);
        var result = await VirtualHost.DeclareQueue(declaration with { Name = name }, declare.Passive, ConnectionId, _connection.Services.Options.LocalNode);
        await _access.ServerNamedQueueDeclaredAsync(name, result.Queue, VirtualHost, ConnectionId);
        _lastDeclaredQueue = result.Queue;
        if (!declare.NoWait)
        {
            _connection.SendMethod(Number, new QueueDeclareOk(result.Queue, result.MessageCount, result.ConsumerCount));
        }
    }

    private async ValueTask QueueBindAsync(QueueBind bind)
    {
        var queue = QueueName(bind.Queue, AmqpMethodIds.QueueBind);
        var routingKey = RoutingKeyShortcut(bind.Queue, bind.RoutingKey);
        _access.QueueBind(queue, bind.Exchange, routingKey, AmqpMethodIds.QueueBind);
        await VirtualHost.Bind(new Binding(bind.Exchange, BindingDestination.Queue(queue), routingKey, bind.Arguments), ConnectionId);
        if (!bind.NoWait)
        {
            _connection.SendMethod(Number, default(QueueBindOk));
        }
    }

    private async ValueTask QueueUnbindAsync(QueueUnbind unbind)
    {
        var queue = QueueName(unbind.Queue, AmqpMethodIds.QueueUnbind);
        var routingKey = RoutingKeyShortcut(unbind.Queue, unbind.RoutingKey);
        _access.QueueBind(queue, unbind.Exchange, routingKey, AmqpMethodIds.QueueUnbind);
        await VirtualHost.Unbind(new Binding(unbind.Exchange, BindingDestination.Queue(queue), routingKey, unbind.Arguments), ConnectionId);
        _connection.SendMethod(Number, default(QueueUnbindOk));
    }

    private async ValueTask QueuePurgeAsync(QueuePurge purge)
    {
        var queue = QueueName(purge.Queue, AmqpMethodIds.QueuePurge);
        _access.ReadQueue(queue, AmqpMethodIds.QueuePurge);
        var count = await VirtualHost.PurgeQueue(queue, ConnectionId);
        if (!purge.NoWait)
        {
            _connection.SendMethod(Number, new QueuePurgeOk(count));
        }
    }

    private async ValueTask QueueDeleteAsync(QueueDelete delete)
    {
        var queue = QueueName(delete.Queue, AmqpMethodIds.QueueDelete);
        _access.QueueDelete(queue);
        var count = await VirtualHost.DeleteQueue(queue, delete.IfUnused, delete.IfEmpty, ConnectionId);
        if (!delete.NoWait)
        {
            _connection.SendMethod(Number, new QueueDeleteOk(count));
        }
    }

    /// <summary>queue.bind with both queue and routing key empty binds the last declared queue under its own name.</summary>
    private string RoutingKeyShortcut(string queue, string routingKey) =>
        queue.Length == 0 && routingKey.Length == 0 ? _lastDeclaredQueue : routingKey;
}
