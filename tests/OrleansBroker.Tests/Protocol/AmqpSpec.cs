using System.Runtime.CompilerServices;
using System.Text.Json;

namespace OrleansBroker.Tests.Protocol;

/// <summary>
/// RabbitMQ's machine-readable AMQP 0-9-1 spec (the copy the method generator reads), loaded independently of the
/// generated code so tests can hold the generated records against it.
/// </summary>
internal static class AmqpSpec
{
    private static readonly Lazy<IReadOnlyList<SpecMethod>> LoadedMethods = new(Load);

    public static IReadOnlyList<SpecMethod> Methods => LoadedMethods.Value;

    public static string SpecPath([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "..", "src", "Gateway", "Protocol", "amqp-rabbitmq-0.9.1.json"));

    /// <summary>A spec name in PascalCase, as the records name their types and fields ("nowait" keeps its word boundary).</summary>
    public static string Pascal(string name) => name == "nowait"
        ? "NoWait"
        : string.Concat(name.Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    private static IReadOnlyList<SpecMethod> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SpecPath()));
        var root = document.RootElement;
        var domains = root.GetProperty("domains").EnumerateArray()
            .ToDictionary(domain => domain[0].GetString()!, domain => domain[1].GetString()!);
        var methods = new List<SpecMethod>();
        foreach (var cls in root.GetProperty("classes").EnumerateArray())
        {
            var className = cls.GetProperty("name").GetString()!;
            var classId = cls.GetProperty("id").GetUInt16();
            foreach (var method in cls.GetProperty("methods").EnumerateArray())
            {
                var fields = method.GetProperty("arguments").EnumerateArray()
                    .Select(argument => new SpecField(
                        argument.GetProperty("name").GetString()!,
                        Resolve(domains, argument.TryGetProperty("type", out var type) ? type.GetString()! : argument.GetProperty("domain").GetString()!)))
                    .ToArray();
                methods.Add(new SpecMethod(
                    className,
                    classId,
                    method.GetProperty("name").GetString()!,
                    method.GetProperty("id").GetUInt16(),
                    method.TryGetProperty("content", out var content) && content.GetBoolean(),
                    fields));
            }
        }

        return methods;
    }

    private static string Resolve(Dictionary<string, string> domains, string name)
    {
        while (domains.TryGetValue(name, out var next) && next != name)
        {
            name = next;
        }

        return name;
    }
}

internal sealed record SpecField(string Name, string Type);

internal sealed record SpecMethod(string ClassName, ushort ClassId, string Name, ushort MethodId, bool HasContent, SpecField[] Fields)
{
    public string FullName => $"{ClassName}.{Name}";

    public string TypeName => AmqpSpec.Pascal(ClassName) + AmqpSpec.Pascal(Name);

    public uint Id => ((uint)ClassId << 16) | MethodId;
}
