using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.SipLoad;

/// <summary>
/// The PBX under test as a separate process: <c>dotnet Switchboard.Server.dll</c> on a fresh data folder, loopback
/// only, SIP over UDP alone, with its console output kept in a log file. Stopped by its PID (SIGINT, then kill).
/// </summary>
internal sealed class PbxProcess : IAsyncDisposable
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private readonly Process _process;
    private readonly StreamWriter _log;

    private PbxProcess(Process process, StreamWriter log, IPEndPoint sip, IPEndPoint http, string logPath)
    {
        _process = process;
        _log = log;
        Sip = sip;
        Http = http;
        LogPath = logPath;
    }

    public int Pid => _process.Id;

    public IPEndPoint Sip { get; }

    /// <summary>The web API and call WebSocket (plain HTTP on loopback).</summary>
    public IPEndPoint Http { get; }

    /// <summary>The PBX's <c>switchboard_runtime_allocated_bytes_total</c> from its /metrics (loopback only); null if unreadable.</summary>
    public async Task<long?> AllocatedBytesAsync(CancellationToken ct)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var text = await http.GetStringAsync(new Uri($"http://{Http}/metrics"), ct);
            return PrometheusText.Parse(text).TryGetValue("switchboard_runtime_allocated_bytes_total", out var bytes) ? (long)bytes : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or FormatException)
        {
            return null;
        }
    }

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>User + system CPU time of the PBX so far (Linux: utime + stime of /proc/PID/stat).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The Release build of the server in this repository (the tool references it, so it is built too).</summary>
    public static string? FindServerDll()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
            {
                var bin = Path.Combine(dir.FullName, "src", "Switchboard.Server", "bin", "Release");
                return Directory.Exists(bin) ? Directory.EnumerateFiles(bin, "Switchboard.Server.dll", SearchOption.AllDirectories).FirstOrDefault() : null;
            }
        }

        return null;
    }

    /// <summary>Runs one CLI verb against the data folder (domain add, extension add; the store may be given in <paramref name="args"/>); throws if it fails.</summary>
    public static async Task RunCliAsync(string serverDll, string dataDirectory, IEnumerable<string> args, CancellationToken ct)
    {
        using var process = Start(serverDll, ["--data", dataDirectory, .. args]);
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CliTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"switchboard {string.Join(' ', args)} exited {process.ExitCode}: {await output}{await errors}");
        }
    }

    /// <summary>
    /// Starts <c>serve</c> on free loopback ports (with <paramref name="extra"/> arguments, e.g. the shared store) and
    /// returns once its SIP UDP port answers OPTIONS.
    /// </summary>
    public static async Task<PbxProcess> StartAsync(string serverDll, string dataDirectory, string domain, string mediaPorts, CancellationToken ct,
        IReadOnlyList<string>? extra = null)
    {
        var sipPort = Loopback.FreePort(SocketType.Dgram, ProtocolType.Udp);
        var httpPort = Loopback.FreePort(SocketType.Stream, ProtocolType.Tcp);
        string[] args =
        [
            "serve", "--data", dataDirectory, "--default-domain", domain, "--no-demo", "--bind", "127.0.0.1",
            "--http-port", Text(httpPort), "--https-port", Text(Loopback.FreePort(SocketType.Stream, ProtocolType.Tcp)),
            "--sip-udp-port", Text(sipPort), "--sip-tcp-port", "-1", "--sip-tls-port", "-1", "--media-ports", mediaPorts,

            // Every SIPp instance sends from 127.0.0.1: to the flood guard that is one source at hundreds of requests a
            // second, the very thing it blocks. A load generator is a trusted source here, as a carrier's proxy would be.
            "--sip-flood-exempt", "127.0.0.1/32",
            .. extra ?? [],
        ];
        var logPath = Path.Combine(dataDirectory, "pbx.log");
        var process = Start(serverDll, args);
        var log = ChildProcess.CaptureOutput(process, logPath);
        var pbx = new PbxProcess(process, log, new IPEndPoint(IPAddress.Loopback, sipPort), new IPEndPoint(IPAddress.Loopback, httpPort), logPath);
        try
        {
            await Loopback.WaitUntilAnsweringAsync(pbx.Sip, () => pbx.HasExited, logPath, ReadyTimeout, ct);
            return pbx;
        }
        catch
        {
            await pbx.DisposeAsync();
            throw;
        }
    }

    /// <summary>A graceful stop first (Ctrl+C), by PID; a kill if it does not end in time.</summary>
    public async ValueTask DisposeAsync() => await ChildProcess.StopAsync(_process, _log, "-INT", StopTimeout);

    private static Process Start(string serverDll, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(serverDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
