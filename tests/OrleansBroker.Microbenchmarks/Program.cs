using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// Every benchmark class in this assembly; pick with BenchmarkDotNet's own options, e.g.
//   dotnet run -c Release --project tests/OrleansBroker.Microbenchmarks -- --filter '*'
//   dotnet run -c Release --project tests/OrleansBroker.Microbenchmarks -- --filter '*Topic*' --job short
// The median is shown beside the mean: these shared 2-core machines are noisy, and the median shrugs off
// the iterations another process disturbed.
var config = DefaultConfig.Instance.AddColumn(StatisticColumn.Median);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
