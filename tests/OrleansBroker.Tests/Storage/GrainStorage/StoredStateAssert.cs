using OrleansBroker.Amqp;
using OrleansBroker.Grains.Exchanges;
using OrleansBroker.Grains.Model;
using OrleansBroker.Grains.Queues;
using OrleansBroker.Grains.VirtualHosts;

namespace OrleansBroker.Tests.Storage.GrainStorage;

/// <summary>
/// Exact equality of stored and read-back state. Stricter than the records' own equality: FieldTable.Equals ignores
/// top-level entry order (RabbitMQ's rule for binding arguments), and storage must keep order, duplicates and the
/// CLR type of every value.
/// </summary>
internal static class StoredStateAssert
{
    public static void Same(VirtualHostState expected, VirtualHostState actual)
    {
        Assert.Equal(expected.Initialized, actual.Initialized);
        Assert.Same(StringComparer.Ordinal, actual.Exchanges.Comparer);
        Assert.Same(StringComparer.Ordinal, actual.Queues.Comparer);
        Assert.Equal(expected.Exchanges.Keys, actual.Exchanges.Keys);
        foreach (var (name, declaration) in expected.Exchanges)
        {
            Same(declaration, actual.Exchanges[name]);
        }

        Assert.Equal(expected.Queues.Keys, actual.Queues.Keys);
        foreach (var (name, record) in expected.Queues)
        {
            Assert.Equal(record.ExclusiveOwner, actual.Queues[name].ExclusiveOwner);
            Same(record.Declaration, actual.Queues[name].Declaration);
        }
    }

    public static void Same(ExchangeState expected, ExchangeState actual)
    {
        Assert.Equal(expected.VirtualHost, actual.VirtualHost);
        Same(expected.Declaration, actual.Declaration);
        Assert.Equal(expected.Bindings.Count, actual.Bindings.Count);
        for (var i = 0; i < expected.Bindings.Count; i++)
        {
            var (want, got) = (expected.Bindings[i], actual.Bindings[i]);
            Assert.Equal(want.Source, got.Source);
            Assert.Equal(want.Destination, got.Destination);
            Assert.Equal(want.RoutingKey, got.RoutingKey);
            Same(want.Arguments, got.Arguments);
        }
    }

    public static void Same(QueueState expected, QueueState actual)
    {
        Assert.Equal(expected.VirtualHost, actual.VirtualHost);
        Assert.Equal(expected.ExclusiveOwner, actual.ExclusiveOwner);
        Same(expected.Declaration, actual.Declaration);
    }

    public static void Same(ExchangeDeclaration? expected, ExchangeDeclaration? actual)
    {
        if (expected is null || actual is null)
        {
            Assert.Equal(expected, actual);
            return;
        }

        Assert.Equal(expected with { Arguments = FieldTable.Empty }, actual with { Arguments = FieldTable.Empty });
        Same(expected.Arguments, actual.Arguments);
    }

    public static void Same(QueueDeclaration? expected, QueueDeclaration? actual)
    {
        if (expected is null || actual is null)
        {
            Assert.Equal(expected, actual);
            return;
        }

        Assert.Equal(expected with { Arguments = FieldTable.Empty }, actual with { Arguments = FieldTable.Empty });
        Same(expected.Arguments, actual.Arguments);
    }

    /// <summary>Same entries in the same order, each value of the same type and value, recursively.</summary>
    public static void Same(FieldTable expected, FieldTable actual, string path = "table")
    {
        Assert.True(expected.Count == actual.Count, $"{path}: {expected.Count} entries expected, {actual.Count} read back");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].Key == actual[i].Key, $"{path}[{i}]: key '{expected[i].Key}' expected, '{actual[i].Key}' read back");
            SameValue(expected[i].Value, actual[i].Value, $"{path}.{expected[i].Key}");
        }
    }

    private static void SameValue(object? expected, object? actual, string path)
    {
        if (expected is null)
        {
            Assert.True(actual is null, $"{path}: null expected, {actual} read back");
            return;
        }

        Assert.True(actual is not null, $"{path}: {expected.GetType().Name} expected, null read back");
        Assert.True(expected.GetType() == actual.GetType(), $"{path}: {expected.GetType().Name} expected, {actual.GetType().Name} read back");
        switch (expected)
        {
            case FieldTable table:
                Same(table, (FieldTable)actual, path);
                break;
            case List<object?> items:
                var actualItems = (List<object?>)actual;
                Assert.True(items.Count == actualItems.Count, $"{path}: {items.Count} items expected, {actualItems.Count} read back");
                for (var i = 0; i < items.Count; i++)
                {
                    SameValue(items[i], actualItems[i], $"{path}[{i}]");
                }

                break;
            case byte[] bytes:
                Assert.Equal(bytes, (byte[])actual);
                break;
            case AmqpLongString longString:
                Assert.Equal(longString.Bytes, ((AmqpLongString)actual).Bytes);
                break;
            case double number:
                // Bit for bit: -0.0 must not come back as 0.0.
                Assert.Equal(BitConverter.DoubleToInt64Bits(number), BitConverter.DoubleToInt64Bits((double)actual));
                break;
            case float number:
                Assert.Equal(BitConverter.SingleToInt32Bits(number), BitConverter.SingleToInt32Bits((float)actual));
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }
}
