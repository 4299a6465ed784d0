using System.Text;
using System.Text.Unicode;
using OrleansBroker.Grains.Model;

namespace OrleansBroker.Grains.Routing;

/// <summary>What routing needs of one exchange, read from the routing table in one step: its declaration,
/// its router, and its alternate exchange.</summary>
internal sealed class ExchangeSnapshot
{
    public const string AlternateExchangeArgument = "alternate-exchange";

    public ExchangeSnapshot(ExchangeDeclaration declaration, ExchangeRouter router)
    {
        Declaration = declaration;
        Router = router;
        AlternateExchange = ReadAlternateExchange(declaration);
    }

    public ExchangeDeclaration Declaration { get; }

    public ExchangeRouter Router { get; }

    /// <summary>Where messages go that this exchange's bindings send nowhere; null when none.</summary>
    public string? AlternateExchange { get; }

    // RabbitMQ takes the argument's value whatever its field type; only a string or byte string can
    // name an exchange.
    private static string? ReadAlternateExchange(ExchangeDeclaration declaration) =>
        declaration.Arguments.TryGetValue(AlternateExchangeArgument, out var value) ? value switch
        {
            string name => name,
            byte[] bytes when Utf8.IsValid(bytes) => Encoding.UTF8.GetString(bytes),
            _ => null,
        } : null;
}
