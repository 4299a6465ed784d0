using OrleansBroker.Silo.Hosting;

// Socket completions run on the socket engine's own threads (one per core) instead of being queued to the
// thread pool: with the read loop and sends inline (BrokerHost) a publish travels from socket to socket on one
// thread. Read once, when the first socket is made, so it must be set before anything else; an explicit
// DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 in the environment still wins.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

// Entry point: `dotnet run --project src/Silo -- --amqp-port 5672 --bind * --data-dir ./data`.
return await BrokerCommandLine.RunAsync(args);
