using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansBroker.Benchmarks;

/// <summary>
/// An AMQP 0-9-1 endpoint that does no broker work: it answers the handshake and the few methods the client-ceiling
/// scenarios use, drops every published message (confirming it at once when confirms are on) and, on basic.consume,
/// sends an endless stream of pre-encoded 16 B deliveries honouring prefetch. Measuring RabbitMQ.Client against it shows
/// what the client alone can do on this machine. Not a broker: no queues, no routing, no validation.
/// </summary>
public static class NullBroker
{
    public static async Task<int> RunAsync(int port, CancellationToken ct)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start(1024);
        Console.WriteLine($"null-broker ready on 127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(ct);
                client.NoDelay = true;
                _ = Task.Run(() => new NullConnection(client).RunAsync(ct), ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            listener.Stop();
        }

        return 0;
    }

    private sealed class NullChannel
    {
        public ushort Prefetch;
        public long Delivered;
        public long Acked;
        public bool Confirms;
        public ulong Published;
        public ulong ConfirmedUpTo;
        public long BodyRemaining = -1;
        public CancellationTokenSource? Streaming;
        public readonly SemaphoreSlim Credit = new(0);
    }

    private sealed class NullConnection(TcpClient client)
    {
        private readonly NetworkStream _stream = client.GetStream();
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private readonly Dictionary<ushort, NullChannel> _channels = [];
        private readonly MemoryStream _replies = new();
        private readonly List<(ushort Channel, string Tag, string Queue)> _startConsumers = [];
        private bool _closing;

        public async Task RunAsync(CancellationToken ct)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            try
            {
                var header = new byte[8];
                await _stream.ReadExactlyAsync(header, stop.Token);
                Method(0, 10, 10, w =>
                {
                    w.Write((byte)0);
                    w.Write((byte)9);
                    Table(w, "product", "null-broker");
                    LongString(w, "PLAIN");
                    LongString(w, "en_US");
                });
                await FlushRepliesAsync(stop.Token);
                _ = HeartbeatsAsync(stop.Token);

                var buffer = new byte[1 << 20];
                int start = 0, end = 0;
                while (!_closing)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }

                    var read = await _stream.ReadAsync(buffer.AsMemory(end), stop.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    end += read;
                    while (end - start >= 7)
                    {
                        var size = (int)BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(start + 3));
                        if (size + 8 > buffer.Length)
                        {
                            Array.Resize(ref buffer, size + 8);
                        }

                        if (end - start < size + 8)
                        {
                            break;
                        }

                        Frame(buffer[start], BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(start + 1)), buffer.AsSpan(start + 7, size));
                        start += size + 8;
                    }

                    ConfirmPublishes();
                    await FlushRepliesAsync(stop.Token);
                    StartConsumers(stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or EndOfStreamException or ObjectDisposedException)
            {
            }
            finally
            {
                await stop.CancelAsync();
                client.Dispose();
            }
        }

        private void Frame(byte type, ushort channel, ReadOnlySpan<byte> payload)
        {
            switch (type)
            {
                case 1:
                    MethodFrame(channel, BinaryPrimitives.ReadUInt16BigEndian(payload), BinaryPrimitives.ReadUInt16BigEndian(payload[2..]), payload[4..]);
                    break;
                case 2 when _channels.TryGetValue(channel, out var state):
                    state.BodyRemaining = (long)BinaryPrimitives.ReadUInt64BigEndian(payload[4..]);
                    Completed(state);
                    break;
                case 3 when _channels.TryGetValue(channel, out var state):
                    state.BodyRemaining -= payload.Length;
                    Completed(state);
                    break;
            }

            static void Completed(NullChannel state)
            {
                if (state.BodyRemaining == 0)
                {
                    state.BodyRemaining = -1;
                    state.Published++;
                }
            }
        }

        private void MethodFrame(ushort channel, ushort classId, ushort methodId, ReadOnlySpan<byte> args)
        {
            switch ((classId, methodId))
            {
                case (10, 11): // start-ok
                    Method(0, 10, 30, w =>
                    {
                        w.Write(BinaryPrimitives.ReverseEndianness((ushort)2047));
                        w.Write(BinaryPrimitives.ReverseEndianness(131072u));
                        w.Write(BinaryPrimitives.ReverseEndianness((ushort)60));
                    });
                    break;
                case (10, 40): // open
                    Method(0, 10, 41, w => w.Write((byte)0));
                    break;
                case (10, 50): // close
                    Method(0, 10, 51, _ => { });
                    _closing = true;
                    break;
                case (20, 10): // channel.open
                    _channels[channel] = new NullChannel();
                    Method(channel, 20, 11, w => w.Write(0));
                    break;
                case (20, 40): // channel.close
                    if (_channels.Remove(channel, out var closed))
                    {
                        closed.Streaming?.Cancel();
                    }

                    Method(channel, 20, 41, _ => { });
                    break;
                case (40, 10): // exchange.declare
                    Method(channel, 40, 11, _ => { });
                    break;
                case (40, 20): // exchange.delete
                    Method(channel, 40, 21, _ => { });
                    break;
                case (50, 10): // queue.declare
                {
                    var queue = ShortString(args[2..], out _);
                    Method(channel, 50, 11, w =>
                    {
                        ShortString(w, queue.Length == 0 ? "amq.gen-null" : queue);
                        w.Write(0);
                        w.Write(0);
                    });
                    break;
                }
                case (50, 20): // queue.bind
                    Method(channel, 50, 21, _ => { });
                    break;
                case (50, 40): // queue.delete
                    Method(channel, 50, 41, w => w.Write(0));
                    break;
                case (60, 10): // basic.qos
                    if (_channels.TryGetValue(channel, out var qos))
                    {
                        qos.Prefetch = BinaryPrimitives.ReadUInt16BigEndian(args[4..]);
                    }

                    Method(channel, 60, 11, _ => { });
                    break;
                case (60, 20): // basic.consume
                {
                    var queue = ShortString(args[2..], out var used);
                    var tag = ShortString(args[(2 + used)..], out _);
                    if (tag.Length == 0)
                    {
                        tag = $"null-ctag-{channel}";
                    }

                    Method(channel, 60, 21, w => ShortString(w, tag));
                    _startConsumers.Add((channel, tag, queue));
                    break;
                }
                case (60, 30): // basic.cancel
                {
                    var tag = ShortString(args, out _);
                    if (_channels.TryGetValue(channel, out var cancelled))
                    {
                        cancelled.Streaming?.Cancel();
                    }

                    Method(channel, 60, 31, w => ShortString(w, tag));
                    break;
                }
                case (60, 80): // basic.ack
                    if (_channels.TryGetValue(channel, out var acked))
                    {
                        var tag = (long)BinaryPrimitives.ReadUInt64BigEndian(args);
                        long before;
                        lock (acked)
                        {
                            before = acked.Acked;
                            acked.Acked = Math.Max(acked.Acked, tag);
                        }

                        if (acked.Acked > before)
                        {
                            acked.Credit.Release();
                        }
                    }

                    break;
                case (85, 10): // confirm.select
                    if (_channels.TryGetValue(channel, out var confirms))
                    {
                        confirms.Confirms = true;
                    }

                    Method(channel, 85, 11, _ => { });
                    break;
            }
        }

        private void ConfirmPublishes()
        {
            foreach (var (id, state) in _channels)
            {
                if (state.Confirms && state.Published > state.ConfirmedUpTo)
                {
                    var tag = state.Published;
                    state.ConfirmedUpTo = tag;
                    Method(id, 60, 80, w =>
                    {
                        w.Write(BinaryPrimitives.ReverseEndianness(tag));
                        w.Write((byte)1);
                    });
                }
            }
        }

        private void StartConsumers(CancellationToken ct)
        {
            foreach (var (channel, tag, queue) in _startConsumers)
            {
                if (_channels.TryGetValue(channel, out var state))
                {
                    state.Streaming = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    _ = StreamAsync(channel, state, tag, queue, state.Streaming.Token);
                }
            }

            _startConsumers.Clear();
        }

        /// <summary>Endless 16 B deliveries, as many as prefetch allows, in batches of up to 256.</summary>
        private async Task StreamAsync(ushort channel, NullChannel state, string tag, string queue, CancellationToken ct)
        {
            await Task.Yield();
            using var frames = new MemoryStream();
            using var w = new BinaryWriter(frames);
            var payloadStart = WriteFrame(w, 1, channel, m =>
            {
                m.Write(BinaryPrimitives.ReverseEndianness((ushort)60));
                m.Write(BinaryPrimitives.ReverseEndianness((ushort)60));
                ShortString(m, tag);
                m.Write(0UL); // delivery tag, patched per delivery
                m.Write((byte)0);
                ShortString(m, "");
                ShortString(m, queue);
            });
            var deliveryTagOffset = payloadStart + 4 + 1 + Encoding.UTF8.GetByteCount(tag);
            WriteFrame(w, 2, channel, m =>
            {
                m.Write(BinaryPrimitives.ReverseEndianness((ushort)60));
                m.Write((ushort)0);
                m.Write(BinaryPrimitives.ReverseEndianness(16UL));
                m.Write((ushort)0);
            });
            WriteFrame(w, 3, channel, m => m.Write(Amqp.Body(16)));
            var template = frames.ToArray();

            var batch = new byte[template.Length * 256];
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    long credit;
                    lock (state)
                    {
                        credit = state.Prefetch == 0 ? 256 : Math.Min(256, state.Prefetch - (state.Delivered - state.Acked));
                    }

                    if (credit <= 0)
                    {
                        await state.Credit.WaitAsync(ct);
                        continue;
                    }

                    for (var i = 0; i < credit; i++)
                    {
                        template.CopyTo(batch, i * template.Length);
                        BinaryPrimitives.WriteUInt64BigEndian(batch.AsSpan(i * template.Length + deliveryTagOffset), (ulong)(state.Delivered + i + 1));
                    }

                    lock (state)
                    {
                        state.Delivered += credit;
                    }

                    await _writeLock.WaitAsync(ct);
                    try
                    {
                        await _stream.WriteAsync(batch.AsMemory(0, (int)credit * template.Length), ct);
                    }
                    finally
                    {
                        _writeLock.Release();
                    }
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task HeartbeatsAsync(CancellationToken ct)
        {
            byte[] heartbeat = [8, 0, 0, 0, 0, 0, 0, 0xCE];
            try
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(20));
                while (await timer.WaitForNextTickAsync(ct))
                {
                    await _writeLock.WaitAsync(ct);
                    try
                    {
                        await _stream.WriteAsync(heartbeat, ct);
                    }
                    finally
                    {
                        _writeLock.Release();
                    }
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task FlushRepliesAsync(CancellationToken ct)
        {
            if (_replies.Length == 0)
            {
                return;
            }

            await _writeLock.WaitAsync(ct);
            try
            {
                await _stream.WriteAsync(_replies.GetBuffer().AsMemory(0, (int)_replies.Length), ct);
            }
            finally
            {
                _writeLock.Release();
                _replies.SetLength(0);
            }
        }

        private void Method(ushort channel, ushort classId, ushort methodId, Action<BinaryWriter> args)
        {
            using var w = new BinaryWriter(_replies, Encoding.UTF8, leaveOpen: true);
            WriteFrame(w, 1, channel, m =>
            {
                m.Write(BinaryPrimitives.ReverseEndianness(classId));
                m.Write(BinaryPrimitives.ReverseEndianness(methodId));
                args(m);
            });
        }

        /// <summary>Writes one frame; returns the offset of its payload.</summary>
        private static int WriteFrame(BinaryWriter w, byte type, ushort channel, Action<BinaryWriter> payload)
        {
            using var body = new MemoryStream();
            using (var m = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
            {
                payload(m);
            }

            var start = (int)w.BaseStream.Position;
            w.Write(type);
            w.Write(BinaryPrimitives.ReverseEndianness(channel));
            w.Write(BinaryPrimitives.ReverseEndianness((uint)body.Length));
            w.Write(body.GetBuffer(), 0, (int)body.Length);
            w.Write((byte)0xCE);
            w.Flush();
            return start + 7;
        }

        private static string ShortString(ReadOnlySpan<byte> data, out int used)
        {
            var length = data[0];
            used = 1 + length;
            return Encoding.UTF8.GetString(data.Slice(1, length));
        }

        private static void ShortString(BinaryWriter w, string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            w.Write((byte)bytes.Length);
            w.Write(bytes);
        }

        private static void LongString(BinaryWriter w, string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            w.Write(BinaryPrimitives.ReverseEndianness((uint)bytes.Length));
            w.Write(bytes);
        }

        private static void Table(BinaryWriter w, string key, string value)
        {
            using var table = new MemoryStream();
            using (var t = new BinaryWriter(table, Encoding.UTF8, leaveOpen: true))
            {
                ShortString(t, key);
                t.Write((byte)'S');
                LongString(t, value);
            }

            w.Write(BinaryPrimitives.ReverseEndianness((uint)table.Length));
            w.Write(table.GetBuffer(), 0, (int)table.Length);
        }
    }
}
