using System.Globalization;

namespace Switchboard.SipLoad;

/// <summary>One run: a fresh PBX process, registered callees, a warm-up, then steps of rising rate until one fails.</summary>
internal static class LoadRun
{
    private const string Domain = "load.test";
    private const string Caller = "2000";
    private const string SipPassword = "LoadTest-Sip-Password-1";
    private const string WebPassword = "LoadTest-Web-Password-1";
    private const int FirstCallee = 1000;
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(LoadOptions options, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.Deadline);
        var data = Directory.CreateTempSubdirectory("switchboard-sipload-");
        var loadBefore = LoadAverage();
        Console.WriteLine($"# SIP load: {Environment.ProcessorCount} cores, load average before {loadBefore}, started {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC");
        try
        {
            var callees = Enumerable.Range(FirstCallee, options.Extensions).Select(n => n.ToString(CultureInfo.InvariantCulture)).ToList();
            await CreateExtensionsAsync(options.ServerDll, data.FullName, callees, deadline.Token);
            var steps = await MeasureAsync(options, data.FullName, callees, deadline.Token);
            Console.WriteLine();
            Console.WriteLine(ReportTable.Format(steps));
            Console.WriteLine();
            Console.WriteLine($"Load average after: {LoadAverage()}. Highest rate with zero failures: {ReportTable.Headline(steps)}");
            return steps.Count > 0 ? 0 : 1;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"Stopped: the run passed its deadline of {options.Deadline.TotalSeconds} s.");
            return 3;
        }
        finally
        {
            if (options.KeepData)
            {
                Console.WriteLine($"Data and PBX log kept in {data.FullName}");
            }
            else
            {
                data.Delete(recursive: true);
            }
        }
    }

    private static async Task CreateExtensionsAsync(string dll, string data, IEnumerable<string> callees, CancellationToken ct)
    {
        await PbxProcess.RunCliAsync(dll, data, ["domain", "add", Domain], ct);
        foreach (var number in callees.Prepend(Caller))
        {
            await PbxProcess.RunCliAsync(dll, data, ["extension", "add", $"{number}@{Domain}", "--web-password", WebPassword, "--sip-password", SipPassword], ct);
        }
    }

    private static async Task<List<StepStats>> MeasureAsync(LoadOptions options, string data, List<string> callees, CancellationToken ct)
    {
        var steps = new List<StepStats>();
        await using var pbx = await PbxProcess.StartAsync(options.ServerDll, data, Domain, options.MediaPorts, ct);
        Console.WriteLine($"PBX pid {pbx.Pid}, SIP UDP {pbx.Sip}, log {pbx.LogPath}");
        using var farm = new CalleeFarm(pbx.Sip, Domain, SipPassword);
        var setup = new LoadSetup(pbx.Sip, Domain, Caller, SipPassword, callees, options.Extensions * options.CallsPerExtension, options.StepTimeout);
        using var engine = new CallerEngine(setup, options.Sockets);
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var loops = Task.WhenAll(Task.Run(() => farm.ReceiveLoopAsync(receiving.Token), receiving.Token), engine.ReceiveLoopsAsync(receiving.Token));
        try
        {
            var (registered, detail) = await farm.RegisterAsync(callees, ct);
            if (!registered)
            {
                await Console.Error.WriteLineAsync($"Registration failed: {detail}");
                return steps;
            }

            Console.WriteLine($"{callees.Count} callees registered; caller {Caller}; at most {setup.MaxConcurrent} calls in flight; {options.Sockets} caller sockets");
            // The PBX's own background cost (timers, pollers) with no calls: subtract it mentally from the per-call figures.
            var idleBefore = pbx.CpuTime;
            await Task.Delay(IdleWindow, ct);
            Console.WriteLine($"PBX idle CPU: {(pbx.CpuTime - idleBefore).TotalMilliseconds / IdleWindow.TotalSeconds:F1} ms per second");
            if (options.Warmup > TimeSpan.Zero)
            {
                var warm = await engine.RunStepAsync(options.WarmupRate, options.Warmup, () => pbx.CpuTime, ct);
                Console.WriteLine($"warm-up: {ReportTable.Summary(warm)}");
            }

            foreach (var rate in options.Rates)
            {
                var step = await engine.RunStepAsync(rate, options.Window, () => pbx.CpuTime, ct);
                steps.Add(step);
                Console.WriteLine($"step {rate} cps: {ReportTable.Summary(step)}");
                foreach (var sample in step.FailureSamples)
                {
                    Console.WriteLine($"  failed: {sample}");
                }

                if (step.Failed > 0 || pbx.HasExited)
                {
                    break;
                }
            }

            Console.WriteLine($"Callee side saw {farm.Invites} INVITEs and {farm.Byes} BYEs in all.");
            return steps;
        }
        finally
        {
            await receiving.CancelAsync();
            await loops;
        }
    }

    private static string LoadAverage()
    {
        var text = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ') : [];
        return text.Length >= 3 ? string.Join(' ', text[..3]) : "unknown";
    }
}
