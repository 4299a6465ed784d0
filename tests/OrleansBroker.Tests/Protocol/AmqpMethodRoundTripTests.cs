using System.Buffers;
using System.Reflection;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Protocol;
using static OrleansBroker.Tests.Protocol.WireBytes;

namespace OrleansBroker.Tests.Protocol;

/// <summary>
/// Every method of the spec JSON: the generated record has the spec's ids and fields, encodes to the bytes the spec
/// layout gives (assembled here by hand, field by field), decodes back to an equal value and re-encodes identically.
/// </summary>
public sealed class AmqpMethodRoundTripTests
{
    private static readonly byte[] SampleTableBytes = LengthPrefixed(
        Entry("product", 'S', LongString("OrleansBroker")),
        Entry("capabilities", 'F', LengthPrefixed(Entry("publisher_confirms", 't', 1), Entry("consumer_priorities", 't', 0))),
        Entry("n", 'I', 0, 0, 0, 42));

    public static TheoryData<string> SpecMethodNames => [.. AmqpSpec.Methods.Select(method => method.FullName)];

    [Fact]
    public void The_spec_has_every_class_and_all_its_methods()
    {
        Assert.Equal(
            ["connection", "channel", "access", "exchange", "queue", "basic", "tx", "confirm"],
            AmqpSpec.Methods.Select(method => method.ClassName).Distinct());
        Assert.Equal(66, AmqpSpec.Methods.Count);
    }

    [Fact]
    public void Every_generated_method_is_in_the_spec()
    {
        var generated = typeof(FrameWriter).Assembly.GetTypes()
            .Where(type => type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IAmqpMethod<>)))
            .Select(type => type.Name)
            .Order();
        Assert.Equal(AmqpSpec.Methods.Select(method => method.TypeName).Order(), generated);

        var constants = typeof(AmqpMethodIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(field => field.Name, field => (uint)field.GetRawConstantValue()!);
        Assert.Equal(AmqpSpec.Methods.ToDictionary(method => method.TypeName, method => method.Id), constants);
    }

    [Fact]
    public void Unknown_ids_are_named_for_error_texts_and_not_known()
    {
        Assert.False(AmqpMethodIds.IsKnown(0x003C0063));
        Assert.False(AmqpMethodIds.HasContent(0x003C0063));
        Assert.Equal("unknown method {60,99}", AmqpMethodIds.Name(0x003C0063));
        Assert.Equal(0x003C0028u, AmqpMethodIds.BasicPublish);
        Assert.Equal("basic.publish", AmqpMethodIds.Name(AmqpMethodIds.BasicPublish));
    }

    [Theory]
    [MemberData(nameof(SpecMethodNames))]
    public void Method_round_trips_through_a_frame(string name)
    {
        var spec = AmqpSpec.Methods.Single(method => method.FullName == name);
        var type = typeof(FrameWriter).Assembly.GetType("OrleansBroker.Gateway.Protocol." + spec.TypeName);
        Assert.True(type is not null, $"no record {spec.TypeName} for {spec.FullName}");
        typeof(AmqpMethodRoundTripTests)
            .GetMethod(nameof(RoundTrip), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type)
            .Invoke(null, BindingFlags.DoNotWrapExceptions, null, [spec], null);
    }

    [Fact]
    public void Known_bytes_for_queue_declare()
    {
        var method = new QueueDeclare(0, "tasks", Passive: false, Durable: true, Exclusive: false, AutoDelete: true, NoWait: false, FieldTable.Empty);
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteMethod(output, 1, method);

        byte[] expected =
        [
            1, 0, 1, 0, 0, 0, 17,       // method frame, channel 1, payload 17
            0, 50, 0, 10,               // queue.declare
            0, 0,                       // ticket
            5, .. "tasks"u8,            // queue
            0b0000_1010,                // durable, auto-delete
            0, 0, 0, 0,                 // arguments
            0xCE,
        ];
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    private static void RoundTrip<T>(SpecMethod spec)
        where T : struct, IAmqpMethod<T>
    {
        Assert.Equal(spec.ClassId, T.ClassId);
        Assert.Equal(spec.MethodId, T.MethodId);
        Assert.Equal(spec.Id, T.Id);
        Assert.Equal(spec.HasContent, T.HasContent);
        Assert.Equal(spec.FullName, AmqpMethodIds.Name(T.Id));
        Assert.True(AmqpMethodIds.IsKnown(T.Id));
        Assert.Equal(spec.HasContent, AmqpMethodIds.HasContent(T.Id));

        var values = spec.Fields.Select(Sample).ToArray();
        var method = Construct<T>(spec, values);
        var arguments = ReferenceEncoding(spec, values);

        Assert.Equal(arguments.Length, method.GetArgumentsSize());
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteMethod(output, 7, method);
        var frameBytes = output.WrittenSpan.ToArray();
        Assert.Equal(Concat([1], Short(7), Long((uint)(4 + arguments.Length)), Short(spec.ClassId), Short(spec.MethodId), arguments, [0xCE]), frameBytes);

        var buffer = new ReadOnlySequence<byte>(frameBytes);
        Assert.True(FrameReader.TryReadFrame(ref buffer, 0, out var frame));
        Assert.Equal(FrameType.Method, frame.Type);
        Assert.Equal(7, frame.Channel);
        var id = MethodFrameReader.Read(frame.Payload.ToArray(), out var decodedArguments);
        Assert.Equal(T.Id, id);
        Assert.Equal(arguments, decodedArguments.ToArray());

        var decoded = T.Decode(arguments);
        Assert.Equal(method, decoded);
        Assert.Equal(method.GetHashCode(), decoded.GetHashCode());
        AssertFields(spec, values, decoded);
        Assert.Equal(arguments, Encode(decoded));

        for (var length = 0; length < arguments.Length; length++)
        {
            var prefix = arguments[..length];
            Assert.Throws<AmqpFormatException>(() => T.Decode(prefix));
        }

        byte[] trailing = [.. arguments, 0];
        Assert.Throws<AmqpFormatException>(() => T.Decode(trailing));

        // A default value (null strings, arrays and tables) encodes as empty ones.
        var empty = Encode(default(T));
        Assert.Equal(empty, Encode(T.Decode(empty)));
    }

    private static T Construct<T>(SpecMethod spec, object[] values)
        where T : struct, IAmqpMethod<T>
    {
        if (spec.Fields.Length == 0)
        {
            return default;
        }

        var constructor = typeof(T).GetConstructors().Single(c => c.GetParameters().Length == spec.Fields.Length);
        var parameters = constructor.GetParameters();
        Assert.Equal(spec.Fields.Select(field => AmqpSpec.Pascal(field.Name)), parameters.Select(p => p.Name));
        Assert.Equal(spec.Fields.Select(field => ClrType(field.Type)), parameters.Select(p => p.ParameterType));
        return (T)constructor.Invoke(values);
    }

    private static void AssertFields<T>(SpecMethod spec, object[] values, T decoded)
    {
        for (var i = 0; i < spec.Fields.Length; i++)
        {
            var property = typeof(T).GetProperty(AmqpSpec.Pascal(spec.Fields[i].Name))!;
            var actual = property.GetValue(decoded);
            if (values[i] is byte[] bytes)
            {
                Assert.Equal(bytes, Assert.IsType<byte[]>(actual));
            }
            else
            {
                Assert.Equal(values[i], actual);
            }
        }
    }

    private static byte[] Encode<T>(T method)
        where T : struct, IAmqpMethod<T>
    {
        var bytes = new byte[method.GetArgumentsSize()];
        var writer = new AmqpWriter(bytes);
        method.EncodeArguments(ref writer);
        Assert.Equal(bytes.Length, writer.Written);
        return bytes;
    }

    private static Type ClrType(string specType) => specType switch
    {
        "octet" => typeof(byte),
        "short" => typeof(ushort),
        "long" => typeof(uint),
        "longlong" or "timestamp" => typeof(ulong),
        "bit" => typeof(bool),
        "shortstr" => typeof(string),
        "longstr" => typeof(byte[]),
        "table" => typeof(FieldTable),
        _ => throw new ArgumentOutOfRangeException(nameof(specType), specType, null),
    };

    // Distinct, non-default values; bits alternate so packing mistakes show.
    private static object Sample(SpecField field, int index) => field.Type switch
    {
        "octet" => (byte)(0xA0 + index),
        "short" => (ushort)(0xB100 + index),
        "long" => 0xC2000000u + (uint)index,
        "longlong" or "timestamp" => 0xD300000000000000UL + (ulong)index,
        "bit" => index % 3 != 1,
        "shortstr" => $"{field.Name}-é{index}",
        "longstr" => new byte[] { 0xFF, 0x00, (byte)index, (byte)'z' },
        "table" => new AmqpReader(SampleTableBytes).ReadTable(),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field.Type, null),
    };

    // The spec's argument layout, spelled out: bits packed LSB first into shared octets, everything else big-endian.
    private static byte[] ReferenceEncoding(SpecMethod spec, object[] values)
    {
        var bytes = new List<byte>();
        var bitIndex = 8;
        for (var i = 0; i < spec.Fields.Length; i++)
        {
            var type = spec.Fields[i].Type;
            if (type == "bit")
            {
                if (bitIndex == 8)
                {
                    bytes.Add(0);
                    bitIndex = 0;
                }

                if ((bool)values[i])
                {
                    bytes[^1] |= (byte)(1 << bitIndex);
                }

                bitIndex++;
                continue;
            }

            bitIndex = 8;
            bytes.AddRange(type switch
            {
                "octet" => [(byte)values[i]],
                "short" => Short((ushort)values[i]),
                "long" => Long((uint)values[i]),
                "longlong" or "timestamp" => LongLong((ulong)values[i]),
                "shortstr" => ShortString((string)values[i]),
                "longstr" => LengthPrefixed((byte[])values[i]),
                "table" => SampleTableBytes,
                _ => throw new ArgumentOutOfRangeException(nameof(spec), type, null),
            });
        }

        return [.. bytes];
    }
}
