using System.CommandLine;
using System.Globalization;

namespace Switchboard.SipLoad;

/// <summary>
/// Calls per second with digest through the Switchboard B2BUA and, in the same run, through Kamailio as a stateful
/// proxy, both driven by SIPp over UDP on loopback (scenarios in <c>bench/sipp</c>).
/// <c>dotnet run -c Release --project bench/Switchboard.SipLoad -- --rates 250,500,750,1000,1250 --window 20</c>;
/// results and method: docs/benchmarks-sip-load.md.
/// </summary>
internal static class Program
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(60);

    private static async Task<int> Main(string[] args)
    {
        var rates = new Option<string>("--rates") { Description = "Target calls per second of each step, comma-separated", DefaultValueFactory = _ => "250,500,750,1000,1250" };
        var window = new Option<int>("--window") { Description = "Seconds each step starts calls for (SIPp -m is rate times this)", DefaultValueFactory = _ => 20 };
        var hold = new Option<int>("--hold-ms") { Description = "Milliseconds between the ACK and the BYE (SIPp -d)", DefaultValueFactory = _ => 1000 };
        var callees = new Option<int>("--callees") { Description = "Called extensions, each registered by its own SIPp UAS and called by its own SIPp UAC at its share of the rate", DefaultValueFactory = _ => 2 };
        var targets = new Option<string>("--targets") { Description = "Servers to load, comma-separated: pbx, kamailio; or cluster alone (--cluster-nodes PBX nodes behind the shipped Kamailio dispatcher config)", DefaultValueFactory = _ => "pbx,kamailio" };
        var clusterNodes = new Option<int>("--cluster-nodes") { Description = "With --targets cluster: PBX nodes behind the dispatcher", DefaultValueFactory = _ => 1 };
        var nodeQuota = new Option<int>("--node-cpu-quota") { Description = "With --targets cluster: each node's CPU quota, % of one core (a cgroup per node; needs root); 0: none", DefaultValueFactory = _ => 0 };
        var clusterStore = new Option<string>("--cluster-store") { Description = "With --targets cluster: own (each node its own SQLite, callees registered with every node) or shared (one PostgreSQL and one Redis for all, callees registered through the proxy, calls crossing nodes)", DefaultValueFactory = _ => "own" };
        var children = new Option<int>("--kamailio-children") { Description = "Kamailio's UDP worker processes", DefaultValueFactory = _ => 2 };
        var shm = new Option<int>("--kamailio-shm-mb") { Description = "Kamailio's shared memory (-m), which holds its transactions", DefaultValueFactory = _ => 512 };
        var allocator = new Option<string>("--kamailio-allocator") { Description = "Kamailio's memory manager (-x/-X: qm, fm, tlsf; empty: its default, qm, which costs it about twice the CPU per call)", DefaultValueFactory = _ => "tlsf" };
        var recvTimeout = new Option<int>("--recv-timeout-ms") { Description = "How long a call waits for an expected message before it fails (SIPp -recv_timeout)", DefaultValueFactory = _ => 5000 };
        var inFlight = new Option<int>("--max-in-flight") { Description = "Calls SIPp keeps open at most (SIPp -l); above it SIPp slows the rate", DefaultValueFactory = _ => 10_000 };
        var warmup = new Option<int>("--warmup") { Description = "Seconds of warm-up calls against each server before the steps (not reported)", DefaultValueFactory = _ => 15 };
        var warmupRate = new Option<int>("--warmup-rate") { Description = "Calls per second during the warm-up", DefaultValueFactory = _ => 100 };
        var server = new Option<string?>("--server") { Description = "Switchboard.Server.dll to run (default: the Release build next to this repository's sources)" };
        var sipp = new Option<string>("--sipp") { Description = "The SIPp executable", DefaultValueFactory = _ => Sipp.DefaultExecutable };
        var kamailio = new Option<string>("--kamailio") { Description = "The Kamailio executable", DefaultValueFactory = _ => KamailioProcess.DefaultExecutable };
        var scenarios = new Option<string?>("--scenarios") { Description = "Folder of the SIPp scenarios (default: bench/sipp, copied next to the tool)" };
        var media = new Option<string>("--media-ports") { Description = "The PBX's media port range", DefaultValueFactory = _ => "20000-29999" };
        var deadline = new Option<int>("--deadline") { Description = "Seconds after which the whole run stops, whatever it is doing", DefaultValueFactory = _ => 1800 };
        var noStop = new Option<bool>("--no-stop") { Description = "Run every rate even after a server's step collapsed (> 1 % failed or < 90 % of the rate achieved)" };
        var keep = new Option<bool>("--keep-data") { Description = "Keep the work folder: PBX data and log, Kamailio's config and log, SIPp's statistics and error logs" };
        var root = new RootCommand("SIP calls-per-second load with SIPp: the Switchboard B2BUA and Kamailio side by side (UDP, loopback)")
        {
            rates, window, hold, callees, targets, clusterNodes, nodeQuota, clusterStore, children, shm, allocator, recvTimeout, inFlight, warmup, warmupRate, server, sipp, kamailio, scenarios, media, deadline, noStop, keep,
        };
        root.SetAction(async (result, ct) =>
        {
            if (!TryParseRates(result.GetValue(rates)!, out var parsedRates))
            {
                await Console.Error.WriteLineAsync("--rates must be positive whole numbers separated by commas.");
                return 2;
            }

            var chosen = result.GetValue(targets)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var cluster = chosen is ["cluster"];
            if (chosen.Length == 0 || (!cluster && chosen.Any(t => t is not ("pbx" or "kamailio"))))
            {
                await Console.Error.WriteLineAsync("--targets takes pbx, kamailio or both, or cluster alone.");
                return 2;
            }

            var store = result.GetValue(clusterStore);
            if (store is not ("own" or "shared"))
            {
                await Console.Error.WriteLineAsync("--cluster-store takes own or shared.");
                return 2;
            }

            var dll = result.GetValue(server) ?? PbxProcess.FindServerDll();
            if ((cluster || chosen.Contains("pbx")) && (dll is null || !File.Exists(dll)))
            {
                await Console.Error.WriteLineAsync("Switchboard.Server.dll not found: build -c Release first or give --server.");
                return 2;
            }

            var scenarioDir = result.GetValue(scenarios) ?? Sipp.FindScenarios();
            if (scenarioDir is null || !File.Exists(Path.Combine(scenarioDir, "uac-digest.xml")))
            {
                await Console.Error.WriteLineAsync("SIPp scenarios (uac-digest.xml, uas-answer.xml, register.xml) not found: give --scenarios.");
                return 2;
            }

            var options = new LoadOptions(
                parsedRates,
                TimeSpan.FromSeconds(Math.Clamp(result.GetValue(window), 1, 600)),
                TimeSpan.FromMilliseconds(Math.Clamp(result.GetValue(hold), 0, 60_000)),
                Math.Clamp(result.GetValue(callees), 1, 100),
                chosen.Contains("pbx"),
                chosen.Contains("kamailio") || cluster
                    ? new KamailioSettings(result.GetValue(kamailio)!, Math.Clamp(result.GetValue(children), 1, 64), Math.Clamp(result.GetValue(shm), 16, 16_384), result.GetValue(allocator)!)
                    : null,
                TimeSpan.FromMilliseconds(Math.Clamp(result.GetValue(recvTimeout), 100, 60_000)),
                Math.Clamp(result.GetValue(inFlight), 1, 1_000_000),
                TimeSpan.FromSeconds(Math.Clamp(result.GetValue(warmup), 0, 120)),
                Math.Clamp(result.GetValue(warmupRate), 1, 10_000),
                dll ?? "",
                result.GetValue(sipp)!,
                scenarioDir,
                result.GetValue(media)!,
                TimeSpan.FromSeconds(Math.Clamp(result.GetValue(deadline), 10, 7200)),
                result.GetValue(noStop),
                result.GetValue(keep))
            {
                ClusterNodes = cluster ? Math.Clamp(result.GetValue(clusterNodes), 1, 16) : 0,
                NodeCpuQuota = Math.Clamp(result.GetValue(nodeQuota), 0, 1600),
                SharedStore = cluster && store == "shared",
            };
            return await LoadRun.RunAsync(options, ct);
        });
        // On Ctrl+C or SIGTERM the token is cancelled and the run stops its PBX, Kamailio and SIPp processes by PID;
        // System.CommandLine's default of 2 s before it ends the process would orphan them.
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = StopGrace });
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
