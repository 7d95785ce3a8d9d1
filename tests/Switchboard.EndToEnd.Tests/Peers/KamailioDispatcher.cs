using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// Kamailio running the configuration the project ships, <c>deploy/kamailio/kamailio.cfg</c> (copied next to the tests),
/// in front of Switchboard nodes: only its settings are given, with <c>-A</c> defines (listen address, the node list,
/// a one-second probe interval). Foreground, own runtime directory, log kept for failure messages, killed by PID.
/// </summary>
public sealed class KamailioDispatcher : IAsyncDisposable
{
    private readonly Process process;
    private readonly ProcessLog log;
    private readonly string directory;

    private KamailioDispatcher(string directory, int port, Process process, ProcessLog log)
    {
        this.directory = directory;
        Port = port;
        this.process = process;
        this.log = log;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>: the outbound proxy phones use.</summary>
    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string LogTail => log.Tail;

    public static string ShippedConfig => Path.Combine(AppContext.BaseDirectory, "Deploy", "kamailio.cfg");

    /// <summary>Starts the proxy over the nodes' SIP UDP ports (dispatcher set 1) and waits until it answers.</summary>
    public static async Task<KamailioDispatcher> StartAsync(IEnumerable<int> nodeUdpPorts, CancellationToken ct)
    {
        var directory = Path.Combine(Path.GetTempPath(), "sb-dispatcher-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var list = Path.Combine(directory, "dispatcher.list");
        await File.WriteAllLinesAsync(list, nodeUdpPorts.Select(p => $"1 sip:127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}"), ct);
        var port = FreePorts.Sip();
        var log = new ProcessLog(Path.Combine(directory, "kamailio.log"));
        var process = KamailioCarrier.Run(
            [
                "-f", ShippedConfig, "-DD", "-E", "-Y", directory, "-w", directory, "-m", "32", "-M", "8",
                "-A", $"LISTEN=udp:127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
                "-A", $"DISPATCHER_LIST=\"{list}\"",
                "-A", "PROBE_INTERVAL=1",
                "-A", "NODE_TIMEOUT=1000",
            ],
            log);
        var dispatcher = new KamailioDispatcher(directory, port, process, log);
        try
        {
            await dispatcher.WaitListeningAsync(ct);
            return dispatcher;
        }
        catch
        {
            await dispatcher.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        process.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // a child still writing its log: the temp folder is cleaned by the OS later
        }
    }

    /// <summary>The shipped config forwards every OPTIONS to a node, so readiness is its UDP port being bound.</summary>
    private async Task WaitListeningAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("kamailio exited at start:\n" + log.Tail);
            }

            if (IsBound())
            {
                return;
            }

            await Task.Delay(100, ct);
        }

        throw new TimeoutException("kamailio did not bind its port:\n" + log.Tail);
    }

    /// <summary>True once something holds our UDP port (binding it ourselves fails).</summary>
    private bool IsBound()
    {
        try
        {
            using var probe = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, Port));
            return false;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return true;
        }
    }
}
