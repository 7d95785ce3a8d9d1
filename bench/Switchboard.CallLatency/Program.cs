using Switchboard.CallLatency;

// Media set-up latency over sequential echo calls from headless Chromium: see docs/benchmarks-latency.md.
// dotnet run -c Release --project bench/Switchboard.CallLatency -- [--calls 20] [--warmup 2]
return await LatencyTool.RunAsync(args);
