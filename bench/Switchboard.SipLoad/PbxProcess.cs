using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Switchboard.Sip.Messages;

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

    /// <summary>Runs one CLI verb against the data folder (domain add, extension add); throws if it fails.</summary>
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

    /// <summary>Starts <c>serve</c> on free loopback ports and returns once its SIP UDP port answers OPTIONS.</summary>
    public static async Task<PbxProcess> StartAsync(string serverDll, string dataDirectory, string domain, string mediaPorts, CancellationToken ct)
    {
        var sipPort = FreePort(SocketType.Dgram, ProtocolType.Udp);
        var httpPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        string[] args =
        [
            "serve", "--data", dataDirectory, "--default-domain", domain, "--no-demo", "--bind", "127.0.0.1",
            "--http-port", Text(httpPort), "--https-port", Text(FreePort(SocketType.Stream, ProtocolType.Tcp)),
            "--sip-udp-port", Text(sipPort), "--sip-tcp-port", "-1", "--sip-tls-port", "-1", "--media-ports", mediaPorts,
        ];
        var logPath = Path.Combine(dataDirectory, "pbx.log");
        var process = Start(serverDll, args);
        var log = ChildProcess.CaptureOutput(process, logPath);
        var pbx = new PbxProcess(process, log, new IPEndPoint(IPAddress.Loopback, sipPort), new IPEndPoint(IPAddress.Loopback, httpPort), logPath);
        try
        {
            await pbx.WaitUntilAnsweringAsync(ct);
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

    /// <summary>Sends OPTIONS every 250 ms until any response comes (RFC 3261 section 11), the process exits, or 60 s pass.</summary>
    private async Task WaitUntilAnsweringAsync(CancellationToken ct)
    {
        using var socket = new SipUdpSocket();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(ReadyTimeout);
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiving = Task.Run(() => socket.ReceiveLoopAsync((m, _) => answered.TrySetResult(), stop.Token), stop.Token);
        try
        {
            for (uint cseq = 1; !answered.Task.IsCompleted; cseq++)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"The PBX exited ({_process.ExitCode}) before answering; see {LogPath}");
                }

                var options = LoadSip.NewRequest(SipMethod.Options, $"sip:{Sip}", $"<sip:{Sip}>", "probe", "load.invalid", socket.Local, SipIds.NewCallId("probe"), cseq).BuildRequest();
                socket.Send(options, Sip);
                try
                {
                    await answered.Task.WaitAsync(TimeSpan.FromMilliseconds(250), stop.Token);
                }
                catch (TimeoutException)
                {
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The PBX did not answer OPTIONS within {ReadyTimeout.TotalSeconds} s; see {LogPath}");
        }
        finally
        {
            await stop.CancelAsync();
            await receiving;
        }
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
