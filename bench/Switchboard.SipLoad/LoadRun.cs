using System.Globalization;

namespace Switchboard.SipLoad;

/// <summary>
/// One run: the servers started fresh (the PBX with its test extensions, Kamailio with its generated config), SIPp
/// callees registered with each, a warm-up, then steps of rising rate, each server in turn at each rate, until a
/// server's step collapses. Everything started here is stopped by PID at the end, also on Ctrl+C or an error.
/// </summary>
internal static class LoadRun
{
    private const string Domain = "load.test";
    private const string Caller = "2000";
    private const string SipPassword = "LoadTest-Sip-Password-1";
    private const string WebPassword = "LoadTest-Web-Password-1";
    private const int FirstCallee = 1000;
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(3);

    /// <summary>Between steps, so the next server's step does not share the machine with the last one's tail of retransmissions.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(LoadOptions options, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.Deadline);
        var work = Directory.CreateTempSubdirectory("switchboard-sipload-");
        Console.WriteLine($"# SIP load with SIPp: {Environment.ProcessorCount} cores, load average before {LoadAverage()}, started {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC");
        var owned = new OwnedProcesses();
        try
        {
            var callees = Enumerable.Range(FirstCallee, options.Callees).Select(n => n.ToString(CultureInfo.InvariantCulture)).ToList();
            var sipp = new Sipp(options.SippExecutable, options.Scenarios, work.FullName);
            var targets = new List<ILoadTarget>();
            if (options.Pbx)
            {
                targets.Add(owned.Add(await StartPbxAsync(options, Path.Combine(work.FullName, "pbx"), callees, deadline.Token)));
            }

            if (options.ClusterNodes > 0)
            {
                var engines = options.SharedStore ? await SharedEngines.StartAsync() : null;
                string[] store = engines is null ? [] : ["--store", engines.Store];
                targets.Add(owned.Add(await ClusterTarget.StartAsync(options.ClusterNodes, options.NodeCpuQuota, options.Kamailio!, options.ServerDll,
                    options.MediaPorts, Path.Combine(work.FullName, "cluster"), Domain, (data, token) => CreateExtensionsAsync(options, data, callees, store, token),
                    engines, deadline.Token)));
            }
            else if (options.Kamailio is { } kamailio)
            {
                targets.Add(owned.Add(await KamailioProcess.StartAsync(kamailio, Path.Combine(work.FullName, "kamailio"), Domain, SipPassword, deadline.Token)));
            }

            var runs = new List<TargetRun>();
            foreach (var target in targets)
            {
                runs.Add(await PrepareAsync(target, sipp, callees, owned, options, deadline.Token));
            }

            var steps = await StepAsync(runs, sipp, options, deadline.Token);
            Console.WriteLine();
            Console.WriteLine(ReportTable.Format(steps));
            Console.WriteLine(ReportTable.Ratio(steps));
            Console.WriteLine($"Load average after: {LoadAverage()}. {ReportTable.Headline(steps)}");
            return steps.Count > 0 ? 0 : 1;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"Stopped: the run passed its deadline of {options.Deadline.TotalSeconds} s.");
            return 3;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Cancelled: stopping every process this run started.");
            return 130;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            await Console.Error.WriteLineAsync($"Stopped: {e.Message}");
            return 1;
        }
        finally
        {
            await owned.DisposeAsync();
            if (options.KeepData)
            {
                Console.WriteLine($"Work folder kept: {work.FullName}");
            }
            else
            {
                work.Delete(recursive: true);
            }
        }
    }

    private static async Task<ILoadTarget> StartPbxAsync(LoadOptions options, string data, List<string> callees, CancellationToken ct)
    {
        await CreateExtensionsAsync(options, data, callees, [], ct);
        return new PbxTarget(await PbxProcess.StartAsync(options.ServerDll, data, Domain, options.MediaPorts, ct));
    }

    private static async Task CreateExtensionsAsync(LoadOptions options, string data, List<string> callees, string[] store, CancellationToken ct)
    {
        Directory.CreateDirectory(data);
        await PbxProcess.RunCliAsync(options.ServerDll, data, ["domain", "add", Domain, .. store], ct);
        foreach (var number in callees.Prepend(Caller))
        {
            await PbxProcess.RunCliAsync(options.ServerDll, data, ["extension", "add", $"{number}@{Domain}", "--web-password", WebPassword, "--sip-password", SipPassword, .. store], ct);
        }
    }

    /// <summary>Registers each callee from its own port, starts its UAS there, measures the idle CPU, warms up.</summary>
    private static async Task<TargetRun> PrepareAsync(ILoadTarget target, Sipp sipp, List<string> callees, OwnedProcesses owned, LoadOptions options, CancellationToken ct)
    {
        var uases = new List<SippProcess>();
        foreach (var callee in callees)
        {
            var port = Loopback.FreeUdpPort();
            foreach (var registrar in target.Registrars)
            {
                await sipp.RegisterAsync(registrar, callee, Domain, SipPassword, port, ct);
            }

            uases.Add(owned.Add(sipp.StartUas($"{target.Name}-{callee}", port)));
        }

        Console.WriteLine($"{target.Name}: SIP UDP {target.Sip}, processes {string.Join(',', target.CpuProcesses())}, log {target.LogPath}; {callees.Count} callees registered");
        var idleBefore = ProcCpu.Of(target.CpuProcesses());
        await Task.Delay(IdleWindow, ct);
        Console.WriteLine($"{target.Name} idle CPU: {(ProcCpu.Of(target.CpuProcesses()) - idleBefore).TotalMilliseconds / IdleWindow.TotalSeconds:F1} ms per second");
        var run = new TargetRun(target, uases, callees);
        if (options.Warmup > TimeSpan.Zero)
        {
            var warm = await MeasureAsync(run, sipp, options.WarmupRate, options.Warmup, options, ct);
            Console.WriteLine($"warm-up: {ReportTable.Summary(warm)}");
        }

        return run;
    }

    /// <summary>Each rate against each server still standing, in turn, so the two see the same machine at about the same time.</summary>
    private static async Task<List<StepStats>> StepAsync(List<TargetRun> runs, Sipp sipp, LoadOptions options, CancellationToken ct)
    {
        var steps = new List<StepStats>();
        var standing = new List<TargetRun>(runs);
        foreach (var rate in options.Rates)
        {
            foreach (var run in standing.ToList())
            {
                await Task.Delay(Settle, ct);
                var cluster = run.Target as ClusterTarget;
                var (proxyBefore, started) = (cluster?.ProxyCpu ?? TimeSpan.Zero, TimeProvider.System.GetTimestamp());
                var (nodesBefore, postgresBefore, redisBefore) = (cluster?.NodeCpu ?? [], cluster?.Engines?.PostgresCpu ?? TimeSpan.Zero, cluster?.Engines?.RedisCpu ?? TimeSpan.Zero);
                var step = await MeasureAsync(run, sipp, rate, options.Window, options, ct);
                steps.Add(step);
                var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
                string Share(TimeSpan cpu) => (100 * cpu.TotalSeconds / seconds).ToString("F0", CultureInfo.InvariantCulture);
                var proxy = cluster is null ? "" : string.Create(CultureInfo.InvariantCulture,
                    $"; Kamailio {Share(cluster.ProxyCpu - proxyBefore)} % of a core; each node {string.Join(" / ", cluster.NodeCpu.Zip(nodesBefore, (a, b) => Share(a - b)))} %")
                    + (cluster?.Engines is { } engines ? $"; PostgreSQL {Share(engines.PostgresCpu - postgresBefore)} %, Redis {Share(engines.RedisCpu - redisBefore)} %" : "")
                    + (cluster is null ? "" : $"; nodes' quota throttled {cluster.Throttled} periods so far; load average {LoadAverage()}");
                Console.WriteLine(ReportTable.Summary(step) + proxy);
                foreach (var sample in step.Uac.ErrorSamples)
                {
                    Console.WriteLine($"  sipp: {sample}");
                }

                if (run.Target.HasExited || run.Uases.Any(u => u.HasExited) || (step.Collapsed && !options.NoStop))
                {
                    standing.Remove(run);
                }
            }

            if (standing.Count == 0)
            {
                break;
            }
        }

        return steps;
    }

    private static async Task<StepStats> MeasureAsync(TargetRun run, Sipp sipp, int rate, TimeSpan window, LoadOptions options, CancellationToken ct)
    {
        var calls = (int)Math.Max(1, Math.Round(rate * window.TotalSeconds));
        var plan = new UacPlan(rate, calls, options.Hold, Caller, Domain, SipPassword, options.RecvTimeout, options.MaxInFlight);
        var uasPids = run.Uases.Select(u => u.Pid).ToList();
        var serverPids = run.Target.CpuProcesses();
        var allocatedBefore = await run.Target.AllocatedBytesAsync(ct);
        var serverBefore = ProcCpu.Of(serverPids);
        var sippBefore = ProcCpu.Of(uasPids) + ProcCpu.OfExitedChildren();
        var uac = await sipp.RunUacAsync(run.Target.Sip, run.Target.Name, plan, run.Callees, ct);
        var serverCpu = ProcCpu.Of(serverPids) - serverBefore;
        var sippCpu = ProcCpu.Of(uasPids) + ProcCpu.OfExitedChildren() - sippBefore;
        var allocatedAfter = await run.Target.AllocatedBytesAsync(ct);
        return new StepStats(run.Target.Name, rate, uac, serverCpu, sippCpu)
        {
            AllocatedBytes = allocatedAfter - allocatedBefore,
        };
    }

    private static string LoadAverage()
    {
        var text = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ') : [];
        return text.Length >= 3 ? string.Join(' ', text[..3]) : "unknown";
    }

    private sealed record TargetRun(ILoadTarget Target, IReadOnlyList<SippProcess> Uases, IReadOnlyList<string> Callees);
}
