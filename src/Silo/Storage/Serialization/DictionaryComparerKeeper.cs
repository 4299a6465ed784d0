using System.Text.Json.Serialization.Metadata;

namespace OrleansBroker.Silo.Storage.Serialization;

/// <summary>
/// A System.Text.Json contract modifier: a settable <see cref="Dictionary{TKey, TValue}"/> property comes back with the
/// comparer its owner's constructor gave it. Without it the serializer makes a dictionary with the default comparer, so
/// <c>new(StringComparer.Ordinal)</c> would come back as something else (and <c>OrdinalIgnoreCase</c> would come back
/// case-sensitive).
/// </summary>
/// <remarks>
/// Only the comparer is taken from the dictionary the constructor made, never its entries: populating it instead
/// (JsonObjectCreationHandling.Populate) would bring back any default entries the constructor adds even after the grain
/// removed them before writing.
/// </remarks>
internal static class DictionaryComparerKeeper
{
    public static void KeepComparers(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var property in typeInfo.Properties)
        {
            var type = property.PropertyType;
            if (property.Get is not { } get || property.Set is not { } set
                || !type.IsGenericType || type.GetGenericTypeDefinition() != typeof(Dictionary<,>))
            {
                continue;
            }

            var rebuild = (IRebuild)Activator.CreateInstance(typeof(Rebuild<,>).MakeGenericType(type.GetGenericArguments()))!;
            property.Set = (owner, value) => set(owner, rebuild.WithComparerOf(get(owner), value));
        }
    }

    private interface IRebuild
    {
        object? WithComparerOf(object? constructed, object? deserialized);
    }

    private sealed class Rebuild<TKey, TValue> : IRebuild where TKey : notnull
    {
        public object? WithComparerOf(object? constructed, object? deserialized) =>
            constructed is Dictionary<TKey, TValue> made
            && deserialized is Dictionary<TKey, TValue> read
            && !Equals(made.Comparer, read.Comparer)
                ? new Dictionary<TKey, TValue>(read, made.Comparer)
                : deserialized;
    }
}
