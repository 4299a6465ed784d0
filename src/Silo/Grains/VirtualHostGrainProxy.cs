using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.VirtualHosts;
using OrleansBroker.Silo.Runtime;

namespace OrleansBroker.Silo.Grains;

/// <summary>Turns IVirtualHostGrain calls into turns of the vhost's activation.</summary>
internal sealed class VirtualHostGrainProxy(GrainReference<VirtualHostGrain> reference) : IVirtualHostGrain
{
    public ValueTask<VirtualHostRecovery> Start() => reference.InvokeAsync(static (g, _) => g.Start(), 0);

    public ValueTask DeclareExchange(ExchangeDeclaration declaration, bool passive) =>
        reference.InvokeAsync(static (g, a) => g.DeclareExchange(a.declaration, a.passive), (declaration, passive));

    public ValueTask DeleteExchange(string name, bool ifUnused) =>
        reference.InvokeAsync(static (g, a) => g.DeleteExchange(a.name, a.ifUnused), (name, ifUnused));

    public ValueTask<QueueDeclareResult> DeclareQueue(QueueDeclaration declaration, bool passive, string connectionId) =>
        reference.InvokeAsync(static (g, a) => g.DeclareQueue(a.declaration, a.passive, a.connectionId), (declaration, passive, connectionId));

    public ValueTask<uint> DeleteQueue(string name, bool ifUnused, bool ifEmpty, string connectionId) =>
        reference.InvokeAsync(static (g, a) => g.DeleteQueue(a.name, a.ifUnused, a.ifEmpty, a.connectionId), (name, ifUnused, ifEmpty, connectionId));

    public ValueTask<uint> PurgeQueue(string name, string connectionId) =>
        reference.InvokeAsync(static (g, a) => g.PurgeQueue(a.name, a.connectionId), (name, connectionId));

    public ValueTask Bind(Binding binding, string connectionId) =>
        reference.InvokeAsync(static (g, a) => g.Bind(a.binding, a.connectionId), (binding, connectionId));

    public ValueTask Unbind(Binding binding, string connectionId) =>
        reference.InvokeAsync(static (g, a) => g.Unbind(a.binding, a.connectionId), (binding, connectionId));

    public ValueTask<string> ResolveQueue(string name, string connectionId) =>
        reference.InvokeAsync(static (g, a) => g.ResolveQueue(a.name, a.connectionId), (name, connectionId));

    public ValueTask QueueUnused(string name) => reference.InvokeAsync(static (g, n) => g.QueueUnused(n), name);

    public ValueTask ConnectionClosed(string connectionId) => reference.InvokeAsync(static (g, c) => g.ConnectionClosed(c), connectionId);
}
