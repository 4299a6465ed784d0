namespace OrleansBroker.Amqp;

/// <summary>Field-table decimal ('D'): an unscaled signed 32-bit value and a scale (decimal places).</summary>
public readonly record struct AmqpDecimal(byte Scale, int Value)
{
    /// <summary>The AMQP form of a .NET decimal; throws <see cref="ArgumentOutOfRangeException"/> when its unscaled value does not fit 32 bits.</summary>
    public static AmqpDecimal FromDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = (uint)bits[0];
        var negative = bits[3] < 0;
        if (bits[1] != 0 || bits[2] != 0 || magnitude > (negative ? 0x8000_0000u : int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "an AMQP decimal holds a 32-bit unscaled value");
        }

        var scale = (byte)((bits[3] >> 16) & 0xFF);
        return new AmqpDecimal(scale, negative ? (int)(0u - magnitude) : (int)magnitude);
    }

    /// <summary>The value as a .NET decimal; throws <see cref="OverflowException"/> for scales above 28.</summary>
    public decimal ToDecimal()
    {
        if (Scale > 28)
        {
            throw new OverflowException($"scale {Scale} is beyond what System.Decimal holds");
        }

        var magnitude = (uint)Math.Abs((long)Value);
        return new decimal((int)magnitude, 0, 0, Value < 0, Scale);
    }
}
