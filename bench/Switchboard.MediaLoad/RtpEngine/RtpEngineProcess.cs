using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Switchboard.SipLoad;

namespace Switchboard.MediaLoad.RtpEngine;

/// <summary>
/// Debian's rtpengine as the reference relay: userspace forwarding only (<c>--table=-1</c>), on 127.0.0.1, ng control
/// on a free loopback UDP port, in the foreground with its log on stderr (kept in a file), its own port range, and no
/// config file. Stopped by its PID (SIGTERM, then kill), never by name.
/// </summary>
internal sealed class RtpEngineProcess : IAsyncDisposable
{
    public const string DefaultBinary = "/usr/bin/rtpengine";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private readonly Process _process;
    private readonly StreamWriter _log;

    private RtpEngineProcess(Process process, StreamWriter log, NgClient control)
    {
        _process = process;
        _log = log;
        Control = control;
    }

    public int Pid => _process.Id;

    public NgClient Control { get; }

    public static async Task<RtpEngineProcess> StartAsync(string binary, string portRange, string logPath, CancellationToken ct)
    {
        var ports = portRange.Split('-');
        var ngPort = FreeUdpPort();
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--config-file=none", "--table=-1", "--interface=127.0.0.1", $"--listen-ng=127.0.0.1:{ngPort.ToString(CultureInfo.InvariantCulture)}",
            "--foreground", "--log-stderr", $"--port-min={ports[0]}", $"--port-max={ports[^1]}", "--delete-delay=0",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("rtpengine did not start");
        var log = ChildProcess.CaptureOutput(process, logPath);
        var engine = new RtpEngineProcess(process, log, new NgClient(new IPEndPoint(IPAddress.Loopback, ngPort)));
        try
        {
            var pong = await engine.Control.RequestAsync(new() { ["command"] = "ping" }, ReadyTimeout, ct);
            if (pong is null || process.HasExited)
            {
                throw new InvalidOperationException($"rtpengine did not answer ping; see {logPath}");
            }

            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Control.DisposeAsync();
        await ChildProcess.StopAsync(_process, _log, "-TERM", StopTimeout);
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
