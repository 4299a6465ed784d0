using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OrleansBroker.Gateway.Connections;

/// <summary>The AMQP listener on Kestrel, as a silo's gateway and a gateway-only node both run it.</summary>
public static class AmqpListener
{
    /// <summary>Whether a --bind value means every interface.</summary>
    public static bool IsAnyAddress(string bind) => bind is "*" or "" or "::" or "[::]";

    /// <summary>An address --bind names (an IPv6 one with or without brackets).</summary>
    public static IPAddress ParseAddress(string bind) => IPAddress.Parse(bind.Trim('[', ']'));

    /// <summary>The socket transport's settings for AMQP traffic.</summary>
    public static void UseSockets(IWebHostBuilder webHost) => webHost.UseSockets(sockets =>
    {
        // Run the connection's read loop where the socket's data arrives and send where frames are written,
        // instead of hopping through Kestrel's I/O queues: the broker's code never blocks (storage work is
        // asynchronous or leaves the thread), and each hop cost more CPU than the work it carried.
        sockets.UnsafePreferInlineScheduling = true;

        // Receive straight into a buffer instead of a zero-byte read first: one receive syscall per read
        // instead of two (measured: 10-20% less broker CPU per message) for about 4 KiB more per idle connection.
        sockets.WaitForDataBeforeAllocatingBuffer = false;
    });

    /// <summary>Listen for AMQP on the --bind address and port; returns the listener (its endpoint has the real port once started).</summary>
    public static ListenOptions Listen(KestrelServerOptions kestrel, string bind, int port)
    {
        ListenOptions? listener = null;
        void Amqp(ListenOptions listen)
        {
            listener = listen;
            listen.UseConnectionHandler<AmqpConnectionHandler>();
        }

        if (IsAnyAddress(bind))
        {
            // ListenAnyIP binds a dual-mode IPv6 socket (IPv4 and IPv6), falling back to IPv4 where IPv6 is off.
            kestrel.ListenAnyIP(port, Amqp);
        }
        else
        {
            kestrel.Listen(ParseAddress(bind), port, Amqp);
        }

        return listener!;
    }
}
