using System.CommandLine;
using System.Globalization;

namespace Switchboard.SipLoad;

/// <summary>
/// Calls per second through the B2BUA, over real UDP on loopback, against the PBX run as a separate process.
/// <c>dotnet run -c Release --project bench/Switchboard.SipLoad -- --rates 100,250,500,750,1000 --window 10</c>;
/// results and method: docs/benchmarks-sip-load.md.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var rates = new Option<string>("--rates") { Description = "Target calls per second of each step, comma-separated", DefaultValueFactory = _ => "100,250,500,750,1000" };
        var window = new Option<int>("--window") { Description = "Seconds each step starts calls for", DefaultValueFactory = _ => 10 };
        var extensions = new Option<int>("--extensions") { Description = "Called extensions (each one registered UAS)", DefaultValueFactory = _ => 20 };
        var perExtension = new Option<int>("--calls-per-extension") { Description = "Concurrent calls allowed per called extension (the bound on calls in flight is extensions times this)", DefaultValueFactory = _ => 50 };
        var sockets = new Option<int>("--sockets") { Description = "Caller UDP sockets", DefaultValueFactory = _ => 4 };
        var timeout = new Option<int>("--timeout") { Description = "Seconds a call step (401, 200 to INVITE, 200 to BYE) may take before the call fails", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Seconds of warm-up calls before the steps (not reported as a step)", DefaultValueFactory = _ => 15 };
        var warmupRate = new Option<int>("--warmup-rate") { Description = "Calls per second during the warm-up", DefaultValueFactory = _ => 100 };
        var server = new Option<string?>("--server") { Description = "Switchboard.Server.dll to run (default: the Release build next to this repository's sources)" };
        var media = new Option<string>("--media-ports") { Description = "The PBX's media port range", DefaultValueFactory = _ => "20000-29999" };
        var deadline = new Option<int>("--deadline") { Description = "Seconds after which the whole run stops, whatever it is doing", DefaultValueFactory = _ => 900 };
        var keep = new Option<bool>("--keep-data") { Description = "Keep the PBX's temporary data folder (and its log)" };
        var root = new RootCommand("SIP calls-per-second load through the Switchboard B2BUA (UDP, loopback)")
        {
            rates, window, extensions, perExtension, sockets, timeout, warmup, warmupRate, server, media, deadline, keep,
        };
        root.SetAction(async (result, ct) =>
        {
            if (!TryParseRates(result.GetValue(rates)!, out var parsedRates))
            {
                await Console.Error.WriteLineAsync("--rates must be positive whole numbers separated by commas.");
                return 2;
            }

            var dll = result.GetValue(server) ?? PbxProcess.FindServerDll();
            if (dll is null || !File.Exists(dll))
            {
                await Console.Error.WriteLineAsync("Switchboard.Server.dll not found: build -c Release first or give --server.");
                return 2;
            }

            var options = new LoadOptions(
                parsedRates,
                TimeSpan.FromSeconds(Math.Clamp(result.GetValue(window), 1, 600)),
                Math.Clamp(result.GetValue(extensions), 1, 1000),
                Math.Clamp(result.GetValue(perExtension), 1, 10_000),
                Math.Clamp(result.GetValue(sockets), 1, 64),
                TimeSpan.FromSeconds(Math.Clamp(result.GetValue(timeout), 1, 60)),
                TimeSpan.FromSeconds(Math.Clamp(result.GetValue(warmup), 0, 60)),
                Math.Clamp(result.GetValue(warmupRate), 1, 10_000),
                dll,
                result.GetValue(media)!,
                TimeSpan.FromSeconds(Math.Clamp(result.GetValue(deadline), 10, 7200)),
                result.GetValue(keep));
            return await LoadRun.RunAsync(options, ct);
        });
        return await root.Parse(args).InvokeAsync();
    }

    private static bool TryParseRates(string text, out IReadOnlyList<int> rates)
    {
        var list = new List<int>();
        rates = list;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var rate) || rate is < 1 or > 100_000)
            {
                return false;
            }

            list.Add(rate);
        }

        return list.Count > 0;
    }
}
