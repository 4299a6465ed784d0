using System.Text;
using OrleansBroker.Amqp;

namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>
/// Whether two header values are the same Erlang term once RabbitMQ has decoded them (=:=), which is how it compares
/// x-death "queue" and "reason" values: a long string and a byte array with the same bytes are the same binary,
/// integers of different wire types with the same value are equal, a void value and a missing one are both undefined.
/// </summary>
internal static class ErlangValueEquality
{
    public static bool TermsEqual(object? left, object? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        if (Binary(left) is { } leftBytes)
        {
            return Binary(right) is { } rightBytes && leftBytes.AsSpan().SequenceEqual(rightBytes);
        }

        if (FieldTable.TryConvertToInt64(left, out var leftInteger))
        {
            return FieldTable.TryConvertToInt64(right, out var rightInteger) && leftInteger == rightInteger;
        }

        return FieldValueEquality.ValuesEqual(left, right);
    }

    /// <summary>Whether <paramref name="value"/> is a binary with the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static bool IsBinary(object? value, string text) => value is not null && Binary(value) is { } bytes && bytes.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(text));

    private static byte[]? Binary(object value) => value switch
    {
        string text => Encoding.UTF8.GetBytes(text),
        AmqpLongString longString => longString.Bytes,
        byte[] bytes => bytes,
        _ => null,
    };
}
