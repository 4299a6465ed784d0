using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Exchanges;

/// <summary>The persistent state of an exchange grain: its declaration and the bindings it is the source of.</summary>
public sealed class ExchangeState
{
    public string? VirtualHost { get; set; }

    public ExchangeDeclaration? Declaration { get; set; }

    public List<Binding> Bindings { get; set; } = new();
}
