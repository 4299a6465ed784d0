using OrleansBroker.Silo.Hosting;

// Entry point: `dotnet run --project src/Silo -- --amqp-port 5672 --bind * --data-dir ./data`.
return await BrokerCommandLine.RunAsync(args);
