using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Switchboard.SipLoad;

/// <summary>
/// Several PBX nodes behind the shipped Kamailio dispatcher config (<c>deploy/kamailio/kamailio.cfg</c>, run as is), each
/// node optionally held to the same CPU quota by a control group of its own, so that one machine shows what adding a
/// machine of that size adds (docs/benchmarks.md, "A second node"). SIPp's callers send to the proxy, which spreads the
/// calls over the nodes by Call-ID. Two set-ups: each node with its own SQLite (the same extensions) and each callee
/// registered with every node straight, so a call is answered by whichever node takes it; or, with
/// <see cref="SharedEngines"/>, every node on one PostgreSQL and one Redis as a real cluster is, each callee registered
/// once through the proxy (Path, RFC 3327) with whichever node the proxy picks, so a call taken by the other node finds
/// the binding that node shared through Redis and goes back out through the proxy to the callee. The CPU measured is the
/// nodes' (Kamailio's and the engines' are reported beside it).
/// </summary>
internal sealed class ClusterTarget : ILoadTarget
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private readonly List<PbxProcess> _nodes;
    private readonly List<CpuQuota> _quotas;
    private readonly Process _proxy;
    private readonly StreamWriter _proxyLog;
    private readonly SharedEngines? _engines;

    private ClusterTarget(List<PbxProcess> nodes, List<CpuQuota> quotas, Process proxy, StreamWriter proxyLog, IPEndPoint sip, string logPath,
        SharedEngines? engines)
    {
        _engines = engines;
        _nodes = nodes;
        _quotas = quotas;
        _proxy = proxy;
        _proxyLog = proxyLog;
        Sip = sip;
        LogPath = logPath;
    }

    public string Name => _nodes.Count == 1 ? "1 node" : $"{_nodes.Count} nodes";

    public IPEndPoint Sip { get; }

    /// <summary>Every node straight (own stores), or the proxy alone (shared engines: the nodes share the registration).</summary>
    public IReadOnlyList<IPEndPoint> Registrars => _engines is null ? [.. _nodes.Select(n => n.Sip)] : [Sip];

    public SharedEngines? Engines => _engines;

    /// <summary>Each node's CPU time so far, in node order.</summary>
    public IReadOnlyList<TimeSpan> NodeCpu => [.. _nodes.Select(n => ProcCpu.Of([n.Pid]))];

    public bool HasExited => _proxy.HasExited || _nodes.Any(n => n.HasExited);

    public string LogPath { get; }

    public IReadOnlyList<int> CpuProcesses() => [.. _nodes.Select(n => n.Pid)];

    /// <summary>The proxy's CPU time so far (its main process and workers): not in the nodes' figure, reported beside it.</summary>
    public TimeSpan ProxyCpu => _proxy.HasExited ? TimeSpan.Zero : ProcCpu.Of(ProcCpu.WithChildren(_proxy.Id));

    /// <summary>The quota's bite so far, summed over the nodes (100 ms periods held back).</summary>
    public long Throttled => _quotas.Sum(q => q.Throttled);

    public async Task<long?> AllocatedBytesAsync(CancellationToken ct)
    {
        long total = 0;
        foreach (var node in _nodes)
        {
            if (await node.AllocatedBytesAsync(ct) is not { } bytes)
            {
                return null;
            }

            total += bytes;
        }

        return total;
    }

    /// <summary>
    /// Starts <paramref name="count"/> nodes, each under its quota, then the proxy over them. Own stores: each node's data
    /// folder made by <paramref name="prepare"/>. Shared engines: the first node's folder made by it (its extensions go to
    /// the shared store), the others given its <c>secrets.key</c>, which seals the SIP passwords they read.
    /// </summary>
    public static async Task<ClusterTarget> StartAsync(int count, int quotaPercent, KamailioSettings kamailio, string serverDll, string mediaPorts,
        string work, string domain, Func<string, CancellationToken, Task> prepare, SharedEngines? engines, CancellationToken ct)
    {
        var nodes = new List<PbxProcess>();
        var quotas = new List<CpuQuota>();
        try
        {
            var ports = MediaRanges(mediaPorts, count);
            for (var i = 0; i < count; i++)
            {
                var data = Path.Combine(work, $"node{i + 1}");
                Directory.CreateDirectory(data);
                if (engines is null || i == 0)
                {
                    await prepare(data, ct);
                }
                else
                {
                    File.Copy(Path.Combine(work, "node1", "secrets.key"), Path.Combine(data, "secrets.key"));
                }

                var node = await PbxProcess.StartAsync(serverDll, data, domain, ports[i], ct, engines?.ServeArguments);
                nodes.Add(node);
                if (quotaPercent > 0)
                {
                    var quota = CpuQuota.Apply(node.Pid, quotaPercent, $"switchboard-sipload-{Environment.ProcessId}-node{i + 1}");
                    quotas.Add(quota);
                    Console.WriteLine($"node {i + 1}: PID {node.Pid}, SIP {node.Sip}, held to {quotaPercent} % of a core ({quota.Kind})");
                }
            }

            var directory = Path.Combine(work, "dispatcher");
            Directory.CreateDirectory(directory);
            var list = Path.Combine(directory, "dispatcher.list");
            await File.WriteAllLinesAsync(list, nodes.Select(n => $"1 sip:{n.Sip}"), ct);
            var port = Loopback.FreeUdpPort();
            var info = new ProcessStartInfo(kamailio.Executable)
            {
                ArgumentList =
                {
                    "-f", ShippedConfig, "-DD", "-E", "-Y", directory, "-w", directory,
                    "-m", kamailio.SharedMemoryMb.ToString(CultureInfo.InvariantCulture), "-M", "8",
                    "-A", $"LISTEN=udp:127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
                    "-A", $"DISPATCHER_LIST=\"{list}\"",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (kamailio.Allocator is { Length: > 0 } allocator)
            {
                foreach (var a in (string[])["-x", allocator, "-X", allocator])
                {
                    info.ArgumentList.Add(a);
                }
            }

            var proxy = Process.Start(info) ?? throw new InvalidOperationException("kamailio did not start");
            var logPath = Path.Combine(directory, "kamailio.log");
            var target = new ClusterTarget(nodes, quotas, proxy, ChildProcess.CaptureOutput(proxy, logPath), new IPEndPoint(IPAddress.Loopback, port), logPath,
                engines);
            try
            {
                await Loopback.WaitUntilAnsweringAsync(target.Sip, () => target.HasExited, logPath, TimeSpan.FromSeconds(20), ct);
                return target;
            }
            catch
            {
                await target.DisposeAsync();
                throw;
            }
        }
        catch when (nodes.Count > 0)
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            foreach (var quota in quotas)
            {
                await quota.DisposeAsync();
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.StopAsync(_proxy, _proxyLog, "-TERM", StopTimeout);
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        foreach (var quota in _quotas)
        {
            await quota.DisposeAsync();
        }
    }

    private static string ShippedConfig => Path.Combine(AppContext.BaseDirectory, "deploy", "kamailio.cfg");

    /// <summary>The media range split evenly between the nodes: each node needs ports of its own.</summary>
    private static string[] MediaRanges(string range, int count)
    {
        var parts = range.Split('-');
        var first = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var last = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var size = (last - first + 1) / count;
        return [.. Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{first + (i * size)}-{first + ((i + 1) * size) - 1}"))];
    }
}
