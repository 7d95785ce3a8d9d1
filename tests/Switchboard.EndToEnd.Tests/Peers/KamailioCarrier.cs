using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// A stand-in SIP carrier: one Kamailio 5.6 process (Debian's <c>kamailio</c>, no database) on
/// 127.0.0.1 with UDP and TCP on one free port, acting as registrar and proxy that demand digest
/// (<see cref="KamailioConfig"/>). Runs in the foreground (<c>-DD -E</c>) with its own directory,
/// logs to <c>kamailio.log</c> there, and is killed by PID on dispose; several may run at once.
/// </summary>
public sealed class KamailioCarrier : IAsyncDisposable
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(500);
    private readonly Process process;
    private readonly ProcessLog log;

    private KamailioCarrier(KamailioOptions options, string directory, int port, Process process, ProcessLog log)
    {
        Options = options;
        Directory = directory;
        UdpPort = port;
        this.process = process;
        this.log = log;
    }

    /// <summary>Debian installs it in /usr/sbin, which a non-root PATH may lack.</summary>
    public static string Executable => File.Exists("/usr/sbin/kamailio") ? "/usr/sbin/kamailio" : "kamailio";

    public KamailioOptions Options { get; }

    /// <summary>Config, runtime files and log (deleted on dispose).</summary>
    public string Directory { get; }

    public int UdpPort { get; }

    /// <summary>The same number as <see cref="UdpPort"/>: Kamailio listens on both transports there.</summary>
    public int TcpPort => UdpPort;

    /// <summary><c>127.0.0.1:port</c>: the registrar / outbound proxy for UAs and trunks.</summary>
    public string Address => $"127.0.0.1:{UdpPort}";

    public IPEndPoint EndPoint => new(IPAddress.Loopback, UdpPort);

    public int ProcessId => process.Id;

    public string LogPath => log.Path;

    /// <summary>The last few KB of Kamailio's log, for failure messages.</summary>
    public string LogTail => log.Tail;

    public static async Task<KamailioCarrier> StartAsync(KamailioOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var directory = Path.Combine(Path.GetTempPath(), "sb-kamailio-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var port = FreePorts.Sip();
        var config = Path.Combine(directory, "kamailio.cfg");
        await File.WriteAllTextAsync(config, KamailioConfig.Render(options, port), ct);

        var log = new ProcessLog(Path.Combine(directory, "kamailio.log"));
        var carrier = new KamailioCarrier(options, directory, port, StartProcess(config, directory, log), log);
        try
        {
            await carrier.WaitAnsweringAsync(ct);
            return carrier;
        }
        catch
        {
            await carrier.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Every initial INVITE Kamailio has logged so far. First sends an OPTIONS marker and waits for its
    /// log line: the single UDP worker logs in order, so an INVITE sent over UDP before this call is in
    /// the list (or never reached the carrier).
    /// </summary>
    public async Task<IReadOnlyList<CarrierInvite>> ReceivedInvitesAsync(CancellationToken ct = default)
    {
        using var probe = new RawSipUdp();
        var mark = await ProbeAsync(probe, ct);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var lines = await ReadLogLinesAsync(ct);
            if (lines.Any(l => l.Contains(KamailioConfig.MarkTag + mark, StringComparison.Ordinal)))
            {
                return [.. lines.Select(l => CarrierInvite.TryParse(l, out var invite) ? invite : null).OfType<CarrierInvite>()];
            }

            if (deadline.Elapsed > Options.StartTimeout) throw new TimeoutException($"the carrier's log never showed marker {mark}; log:\n{LogTail}");
            await Task.Delay(20, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await process.WaitForExitAsync(exit.Token);
        }
        catch (InvalidOperationException)
        {
            // never started
        }

        process.Dispose();
        log.Dispose();
        BrowserFixture.TryDelete(Directory);
    }

    /// <summary>Polls with OPTIONS until Kamailio answers, or fails fast with its log when it exits (a bad config).</summary>
    private async Task WaitAnsweringAsync(CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        using var probe = new RawSipUdp();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"kamailio exited with {process.ExitCode} at start-up; log:\n{LogTail}");
            }

            try
            {
                await ProbeAsync(probe, ct);
                return;
            }
            catch (TimeoutException) when (started.Elapsed < Options.StartTimeout)
            {
                // not listening yet (ICMP refusals are ignored by UDP receive on Linux unless connected)
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"kamailio did not answer OPTIONS on {Address} within {Options.StartTimeout.TotalSeconds} s; log:\n{LogTail}", e);
            }
            catch (System.Net.Sockets.SocketException) when (started.Elapsed < Options.StartTimeout)
            {
                await Task.Delay(50, ct); // port unreachable reported on the socket
            }
        }
    }

    /// <summary>Sends OPTIONS to the carrier itself and waits for its 200; returns the Call-ID (the log marker).</summary>
    private async Task<string> ProbeAsync(RawSipUdp probe, CancellationToken ct)
    {
        var callId = "mark-" + Guid.NewGuid().ToString("N");
        var branch = "z9hG4bK" + Guid.NewGuid().ToString("N");
        await probe.SendAsync(
            string.Create(CultureInfo.InvariantCulture, $"""
                OPTIONS sip:{Address} SIP/2.0
                Via: SIP/2.0/UDP {probe.HostPort};branch={branch}
                Max-Forwards: 70
                From: <sip:probe@{probe.HostPort}>;tag=probe
                To: <sip:{Address}>
                Call-ID: {callId}
                CSeq: 1 OPTIONS
                Content-Length: 0


                """),
            EndPoint,
            ct);
        await probe.ReceiveAsync(m => RawSipUdp.Header(m, "Call-ID") == callId, ProbeTimeout, ct);
        return callId;
    }

    private async Task<string[]> ReadLogLinesAsync(CancellationToken ct)
    {
        await using var file = new FileStream(log.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file);
        return (await reader.ReadToEndAsync(ct)).Split('\n');
    }

    private static Process StartProcess(string config, string directory, ProcessLog log) =>
        // -DD: stay in the foreground (children still forked); -E: log to stderr; -Y: own runtime
        // directory so two carriers do not share /run/kamailio; small memory pools for a test.
        Run(["-f", config, "-DD", "-E", "-Y", directory, "-w", directory, "-m", "32", "-M", "8"], log);

    /// <summary>Starts <see cref="Executable"/> with <paramref name="arguments"/>, its output going to <paramref name="log"/>.</summary>
    internal static Process Run(IEnumerable<string> arguments, ProcessLog log)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => log.Append(line.Data);
        process.ErrorDataReceived += (_, line) => log.Append(line.Data);
        if (!process.Start()) throw new InvalidOperationException("kamailio did not start");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
