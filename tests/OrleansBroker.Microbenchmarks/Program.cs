using BenchmarkDotNet.Running;

// Every benchmark class in this assembly; pick with BenchmarkDotNet's own options, e.g.
//   dotnet run -c Release --project tests/OrleansBroker.Microbenchmarks -- --filter '*'
//   dotnet run -c Release --project tests/OrleansBroker.Microbenchmarks -- --filter '*Topic*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
