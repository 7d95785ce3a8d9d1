using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Server.Tests;

/// <summary>
/// <c>Switchboard.Server serve</c> as its own process on a data folder, loopback only, SIP over UDP alone, so a test
/// can stop it as an operator does (SIGTERM) or as a crash does (<c>kill -9</c>), always by its PID.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private ServerProcess(Process process, int sipPort)
    {
        _process = process;
        SipPort = sipPort;
    }

    public int SipPort { get; }

    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for the server to end by itself (a drained node stops on its own).</summary>
    public Task WaitForExitAsync(TimeSpan bound) => _process.WaitForExitAsync().WaitAsync(bound);

    /// <summary>What the server printed so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "Switchboard.Server.dll");

    /// <summary>Starts <c>serve</c> and returns once it says it is running.</summary>
    public static async Task<ServerProcess> StartAsync(string data, string domain, string mediaPorts, params string[] extra)
    {
        var sipPort = FreePort(SocketType.Dgram, ProtocolType.Udp);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[Dll, "serve", "--data", data, "--default-domain", domain, "--no-demo", "--bind", "127.0.0.1",
            "--http-port", Text(FreePort(SocketType.Stream, ProtocolType.Tcp)), "--https-port", Text(FreePort(SocketType.Stream, ProtocolType.Tcp)),
            "--sip-udp-port", Text(sipPort), "--sip-tcp-port", "-1", "--sip-tls-port", "-1", "--media-ports", mediaPorts, .. extra])
        {
            start.ArgumentList.Add(arg);
        }

        var server = new ServerProcess(Process.Start(start)!, sipPort);
        server._process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await server._ready.Task.WaitAsync(StartTimeout);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>What a crash does: SIGKILL, no chance to flush anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(StopTimeout);
    }

    /// <summary>What an operator or systemd does: SIGTERM, then wait for the process to end by itself.</summary>
    public async Task TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", Text(_process.Id)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(StopTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (line.StartsWith("Switchboard is running", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    internal static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
