namespace OrleansBroker.Amqp;

/// <summary>
/// The field-table value type tags RabbitMQ reads and writes (rabbit_binary_parser / rabbit_binary_generator).
/// RabbitMQ's meanings differ from the 0-9-1 spec's table for some letters: 'I' is signed 32, 'i' unsigned 32,
/// 's' signed 16, 'u' unsigned 16, 'l' signed 64, 'b' signed 8, 'B' unsigned 8.
/// </summary>
public static class FieldValueTags
{
    public const byte Boolean = (byte)'t';
    public const byte SignedByte = (byte)'b';
    public const byte UnsignedByte = (byte)'B';
    public const byte SignedShort = (byte)'s';
    public const byte UnsignedShort = (byte)'u';
    public const byte SignedInt = (byte)'I';
    public const byte UnsignedInt = (byte)'i';
    public const byte SignedLong = (byte)'l';

    /// <summary>Read as a signed 64-bit value, exactly like 'l' (RabbitMQ does the same); written back as 'l'.</summary>
    public const byte SignedLongAlias = (byte)'L';
    public const byte Decimal = (byte)'D';
    public const byte Float = (byte)'f';
    public const byte Double = (byte)'d';
    public const byte LongString = (byte)'S';
    public const byte Binary = (byte)'x';
    public const byte Array = (byte)'A';
    public const byte Timestamp = (byte)'T';
    public const byte Table = (byte)'F';
    public const byte Void = (byte)'V';

    /// <summary>
    /// How deep tables and arrays may nest. RabbitMQ has no limit, but recursion on a thread stack needs one:
    /// a 128 KiB frame could otherwise nest some 20 000 levels and overflow the stack.
    /// </summary>
    public const int MaxNestingDepth = 100;
}
