using BenchmarkDotNet.Running;
using Switchboard.Benchmarks;

// `--stages [calls]`: one call's SIP work in the PBX, bytes and time per step (CallSipBenchmarks.PrintStagesAsync).
if (args is ["--stages", ..])
{
    await CallSipBenchmarks.PrintStagesAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5000);
    return;
}

// `--alloc-types [calls]`: the same work's bytes by type, from the runtime's allocation sampling.
if (args is ["--alloc-types", ..])
{
    await CallSipBenchmarks.PrintAllocationTypesAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20000);
    return;
}

// Every benchmark class in this assembly is reachable: `dotnet run -c Release --project bench/Switchboard.Benchmarks -- --filter '*Srtp*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
