using BenchmarkDotNet.Running;

// Every benchmark class in this assembly is reachable: `dotnet run -c Release --project bench/Switchboard.Benchmarks -- --filter '*Srtp*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
