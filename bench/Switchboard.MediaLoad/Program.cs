using System.CommandLine;
using System.Globalization;
using Switchboard.MediaLoad.RtpEngine;
using Switchboard.MediaLoad.Runs;
using Switchboard.MediaLoad.Soak;
using Switchboard.SipLoad;

namespace Switchboard.MediaLoad;

/// <summary>
/// Media relay load: N concurrent calls through the PBX (run as a separate process) and, in the same invocation,
/// through Debian's rtpengine, measuring relay CPU per call-second, loss, jitter, delay, threads and memory.
/// <c>dotnet run -c Release --project bench/Switchboard.MediaLoad -- --mode compare --calls 250,500</c>;
/// results and method: docs/benchmarks-media-load.md.
/// </summary>
internal static class Program
{
    private static readonly string[] KnownModes = ["webrtc", "rtp", "rtpengine"];

    private static async Task<int> Main(string[] args)
    {
        var mode = new Option<string>("--mode") { Description = "webrtc, rtp, rtpengine, compare (rtp then rtpengine), or a comma-separated list of the first three", DefaultValueFactory = _ => "compare" };
        var calls = new Option<string>("--calls") { Description = "Concurrent calls per run, comma-separated: each N runs every mode", DefaultValueFactory = _ => "10" };
        var ramp = new Option<double>("--ramp") { Description = "Calls started per second while ramping up", DefaultValueFactory = _ => 50 };
        var hold = new Option<int>("--hold") { Description = "Seconds of the measured hold window, all calls up", DefaultValueFactory = _ => 20 };
        // Two by default: on a box shared with builds, one pump thread fell to 51-89 % of its schedule where two kept 81-100 %.
        var threads = new Option<int>("--pump-threads") { Description = "Generator threads, each owning one epoll set", DefaultValueFactory = _ => 2 };
        var callees = new Option<int>("--callees") { Description = "Registered called extensions (calls are spread over them)", DefaultValueFactory = _ => 10 };
        var server = new Option<string?>("--server") { Description = "Switchboard.Server.dll to run (default: the Release build next to this repository's sources)" };
        var media = new Option<string>("--media-ports") { Description = "The PBX's media port range (two ports per call)", DefaultValueFactory = _ => "20000-29999" };
        var engine = new Option<string>("--rtpengine") { Description = "The rtpengine binary", DefaultValueFactory = _ => RtpEngineProcess.DefaultBinary };
        var enginePorts = new Option<string>("--rtpengine-ports") { Description = "rtpengine's port range (four ports per call: RTP and RTCP each side)", DefaultValueFactory = _ => "10000-19999" };
        var json = new Option<string?>("--json") { Description = "Also write the results to this JSON file" };
        var deadline = new Option<int>("--deadline") { Description = "Seconds after which the whole run stops", DefaultValueFactory = _ => 1800 };
        var keep = new Option<bool>("--keep-data") { Description = "Keep the temporary data folder with the PBX and rtpengine logs" };
        var soakMinutes = new Option<double>("--soak-minutes") { Description = "Soak instead: keep --calls calls churning through the PBX this long, modes in turn, and sample it (0: no soak)", DefaultValueFactory = _ => 0 };
        var soakHold = new Option<string>("--soak-hold") { Description = "Soak: each call's hold time, a random number of seconds in MIN-MAX", DefaultValueFactory = _ => "5-20" };
        var soakReport = new Option<string?>("--soak-report") { Description = "Soak: also write the Markdown report to this file" };
        var soakSample = new Option<int>("--soak-sample") { Description = "Soak: seconds between samples of the PBX", DefaultValueFactory = _ => 60 };
        var root = new RootCommand("Media relay load through the Switchboard PBX and Debian's rtpengine (loopback only)")
        {
            mode, calls, ramp, hold, threads, callees, server, media, engine, enginePorts, json, deadline, keep, soakMinutes, soakHold, soakSample, soakReport,
        };
        root.SetAction(async (result, ct) =>
        {
            var modes = ParseModes(result.GetValue(mode)!);
            var counts = ParseCounts(result.GetValue(calls)!);
            if (modes is null || counts is null)
            {
                await Console.Error.WriteLineAsync("--mode must be webrtc, rtp, rtpengine or compare (or a list); --calls positive whole numbers, comma-separated.");
                return 2;
            }

            var dll = result.GetValue(server) ?? PbxProcess.FindServerDll();
            if (modes.Any(m => m != "rtpengine") && (dll is null || !File.Exists(dll)))
            {
                await Console.Error.WriteLineAsync("Switchboard.Server.dll not found: build -c Release first or give --server.");
                return 2;
            }

            var options = new MediaLoadOptions(
                modes,
                counts,
                Math.Clamp(result.GetValue(ramp), 1, 1000),
                TimeSpan.FromSeconds(Math.Clamp(result.GetValue(hold), 1, 600)),
                Math.Clamp(result.GetValue(threads), 1, 4),
                Math.Clamp(result.GetValue(callees), 1, 100),
                dll ?? "",
                result.GetValue(media)!,
                result.GetValue(engine)!,
                result.GetValue(enginePorts)!,
                result.GetValue(json),
                TimeSpan.FromSeconds(Math.Clamp(result.GetValue(deadline), 10, 7200)),
                result.GetValue(keep));
            if (result.GetValue(soakMinutes) is > 0 and var minutes)
            {
                if (modes.Contains("rtpengine") || ParseRange(result.GetValue(soakHold)!) is not { } holdRange)
                {
                    await Console.Error.WriteLineAsync("A soak runs the PBX modes (webrtc, rtp) only, and --soak-hold is MIN-MAX seconds.");
                    return 2;
                }

                var soak = new SoakOptions(TimeSpan.FromMinutes(minutes), counts[0], holdRange.Min, holdRange.Max, TimeSpan.FromSeconds(Math.Clamp(result.GetValue(soakSample), 5, 600)), result.GetValue(soakReport));
                return await SoakRun.RunAsync(options, soak, ct);
            }

            return await MediaLoadRun.RunAsync(options, ct);
        });
        return await root.Parse(args).InvokeAsync();
    }

    private static (TimeSpan Min, TimeSpan Max)? ParseRange(string text)
    {
        var parts = text.Split('-');
        return parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var min) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var max) && min >= 1 && max >= min
            ? (TimeSpan.FromSeconds(min), TimeSpan.FromSeconds(max))
            : null;
    }

    private static List<string>? ParseModes(string text)
    {
        var modes = text == "compare" ? ["rtp", "rtpengine"] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return modes.Count > 0 && modes.All(KnownModes.Contains) ? modes : null;
    }

    private static List<int>? ParseCounts(string text)
    {
        var counts = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 5000)
            {
                return null;
            }

            counts.Add(n);
        }

        return counts.Count > 0 ? counts : null;
    }
}
