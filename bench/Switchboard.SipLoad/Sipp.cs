using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Switchboard.SipLoad;

/// <summary>What one SIPp UAC run is asked to do (<c>bench/sipp/uac-digest.xml</c>).</summary>
internal sealed record UacPlan(int Rate, int Calls, TimeSpan Hold, string Caller, string Domain, string Password, TimeSpan RecvTimeout, int MaxInFlight);

/// <summary>One SIPp UAC per called user (see <see cref="Sipp.RunUacAsync"/>): the step's rate and calls split between them.</summary>
internal sealed record UacShare(string Callee, int Rate, int Calls);

/// <summary>
/// Runs SIPp (Debian's <c>sip-tester</c>, <c>/usr/bin/sipp</c>) with the scenarios of <c>bench/sipp</c>, copied into the
/// run's work folder, which is also every SIPp process's working directory (SIPp writes its <c>-trace_rtt</c> file
/// there). Every process is bounded in time and stopped by its PID.
/// </summary>
internal sealed class Sipp
{
    private static readonly TimeSpan RegisterTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(15);
    private readonly string _executable;
    private readonly string _work;
    private int _runs;

    public Sipp(string executable, string scenarios, string work)
    {
        _executable = executable;
        _work = work;
        foreach (var scenario in Directory.EnumerateFiles(scenarios, "*.xml"))
        {
            File.Copy(scenario, Path.Combine(work, Path.GetFileName(scenario)), overwrite: true);
        }
    }

    public static string DefaultExecutable => File.Exists("/usr/bin/sipp") ? "/usr/bin/sipp" : "sipp";

    /// <summary>
    /// The scenarios next to the tool (the build copies <c>bench/sipp/*.xml</c> there), else the repository's.
    /// </summary>
    public static string? FindScenarios()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "sipp");
        if (File.Exists(Path.Combine(beside, "uac-digest.xml")))
        {
            return beside;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var repo = Path.Combine(dir.FullName, "bench", "sipp");
            if (File.Exists(Path.Combine(repo, "uac-digest.xml")))
            {
                return repo;
            }
        }

        return null;
    }

    /// <summary>REGISTER with digest from <paramref name="port"/> (the UAS binds it next), so <paramref name="target"/> routes the user's calls there.</summary>
    public async Task RegisterAsync(IPEndPoint target, string user, string domain, string password, int port, CancellationToken ct)
    {
        var name = Name($"register-{user}");
        string[] args =
        [
            target.ToString(), .. Common("register.xml", name), "-m", "1", "-p", Text(port),
            "-key", "user", user, "-key", "domain", domain, "-key", "expires", "3600", "-au", user, "-ap", password, "-auth_uri", domain,
            "-recv_timeout", "5000", "-timeout", Text((int)RegisterTimeout.TotalSeconds) + "s", "-timeout_error",
        ];
        var exit = await RunAsync(name, args, RegisterTimeout + ExitGrace, ct);
        if (exit != 0)
        {
            throw new InvalidOperationException($"Registering {user} with {target} failed (SIPp exit {exit}): {Tail(Path.Combine(_work, name + ".errors.log"))}");
        }
    }

    /// <summary>A UAS that answers every INVITE on <paramref name="port"/> until it is disposed.</summary>
    public SippProcess StartUas(string label, int port)
    {
        var name = Name($"uas-{label}");
        var process = Start(name, [.. Common("uas-answer.xml", name), "-p", Text(port), "-mp", Text(Loopback.FreeUdpPort())], out var log);
        return new SippProcess(process, log, StopTimeout);
    }

    /// <summary>
    /// Runs one UAC step to its end (every call answered, failed or timed out) and reads its statistics. SIPp's digest
    /// uri is one fixed value per process (<c>-auth_uri</c>) and must equal the request-URI, so each called user gets
    /// its own SIPp process, all started together, each at its share of the rate.
    /// </summary>
    public async Task<UacResult> RunUacAsync(IPEndPoint target, string label, UacPlan plan, IReadOnlyList<string> callees, CancellationToken ct)
    {
        var shares = Split(plan, callees);
        var runs = shares.Select(share => RunOneUacAsync(target, $"{label}-{plan.Rate}-{share.Callee}", plan, share, ct)).ToList();
        return UacResult.Combine(await Task.WhenAll(runs));
    }

    /// <summary>The rate and calls divided as evenly as whole numbers allow; callees left without a share are skipped.</summary>
    public static IReadOnlyList<UacShare> Split(UacPlan plan, IReadOnlyList<string> callees) =>
    [
        .. callees.Select((callee, i) => new UacShare(callee, Part(plan.Rate, callees.Count, i), Part(plan.Calls, callees.Count, i)))
            .Where(s => s.Rate > 0 && s.Calls > 0),
    ];

    private async Task<UacResult> RunOneUacAsync(IPEndPoint target, string label, UacPlan plan, UacShare share, CancellationToken ct)
    {
        var name = Name($"uac-{label}");
        var stats = Path.Combine(_work, name + ".stat.csv");
        // SIPp's own global timeout: the pacing, the hold, and a few receive timeouts for the last calls.
        var limit = TimeSpan.FromSeconds(Math.Ceiling((double)share.Calls / share.Rate)) + plan.Hold + (4 * plan.RecvTimeout) + TimeSpan.FromSeconds(10);
        string[] args =
        [
            // -p: a free port of our own. Without it SIPp takes 5060 when it is free, so consecutive steps (and anything
            // else on this machine using 5060) would get each other's late retransmissions.
            target.ToString(), .. Common("uac-digest.xml", name), "-p", Text(Loopback.FreeUdpPort()),
            "-r", Text(share.Rate), "-m", Text(share.Calls), "-l", Text(plan.MaxInFlight), "-d", Text((int)plan.Hold.TotalMilliseconds),
            "-s", share.Callee, "-key", "caller", plan.Caller, "-key", "domain", plan.Domain,
            "-au", plan.Caller, "-ap", plan.Password, "-auth_uri", $"{share.Callee}@{plan.Domain}",
            "-recv_timeout", Text((int)plan.RecvTimeout.TotalMilliseconds), "-timeout", Text((int)limit.TotalSeconds) + "s",
            // -rtt_freq 1: SIPp writes its set-up times in batches of this many and drops the last, partial batch at exit.
            "-trace_stat", "-stf", stats, "-fd", "1", "-trace_rtt", "-rtt_freq", "1",
        ];
        var started = Stopwatch.StartNew();
        var (exit, pid) = await RunWithPidAsync(name, args, limit + ExitGrace, ct);
        var elapsed = started.Elapsed;
        var rtt = Path.Combine(_work, $"uac-digest_{Text(pid)}_rtt.csv");
        return UacResult.Read(exit, elapsed, share.Rate, stats, rtt, Path.Combine(_work, name + ".errors.log"));
    }

    private static int Part(int total, int parts, int index) => (total / parts) + (index < total % parts ? 1 : 0);

    private static string[] Common(string scenario, string name) =>
    [
        "-sf", scenario, "-i", "127.0.0.1", "-nostdin", "-trace_err", "-error_file", name + ".errors.log",
        // A busy shared machine trips SIPp's scheduling watchdog; it must not end the run (the trips are in the log).
        "-watchdog_minor_maxtriggers", "1000000", "-watchdog_major_maxtriggers", "1000000",
    ];

    private string Name(string what) => string.Create(CultureInfo.InvariantCulture, $"{Interlocked.Increment(ref _runs):D3}-{what}");

    private async Task<int> RunAsync(string name, IEnumerable<string> args, TimeSpan timeout, CancellationToken ct) =>
        (await RunWithPidAsync(name, args, timeout, ct)).Exit;

    private async Task<(int Exit, int Pid)> RunWithPidAsync(string name, IEnumerable<string> args, TimeSpan timeout, CancellationToken ct)
    {
        var process = Start(name, args, out var log);
        var pid = process.Id;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
            var exit = process.ExitCode;
            return (exit, pid);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"SIPp ({name}) did not end within {timeout.TotalSeconds} s");
        }
        finally
        {
            await ChildProcess.StopAsync(process, log, "-TERM", StopTimeout);
        }
    }

    private Process Start(string name, IEnumerable<string> args, out StreamWriter log)
    {
        var info = new ProcessStartInfo(_executable)
        {
            WorkingDirectory = _work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("sipp did not start");
        log = ChildProcess.CaptureOutput(process, Path.Combine(_work, name + ".screen.log"));
        return process;
    }

    private static string Tail(string path) => File.Exists(path) ? string.Join(" | ", File.ReadLines(path).TakeLast(5)) : "(no error log)";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A long-running SIPp process (a UAS), stopped by its PID on dispose.</summary>
internal sealed class SippProcess(Process process, StreamWriter log, TimeSpan stopTimeout) : IAsyncDisposable
{
    public int Pid { get; } = process.Id;

    public bool HasExited => process.HasExited;

    public async ValueTask DisposeAsync() => await ChildProcess.StopAsync(process, log, "-TERM", stopTimeout);
}
