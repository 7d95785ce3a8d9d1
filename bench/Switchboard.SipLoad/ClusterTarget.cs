using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Switchboard.SipLoad;

/// <summary>
/// Several PBX nodes behind the shipped Kamailio dispatcher config (<c>deploy/kamailio/kamailio.cfg</c>, run as is), each
/// node optionally held to the same CPU quota by a control group of its own, so that one machine shows what adding a
/// machine of that size adds (docs/benchmarks.md, "A second node"). SIPp's callers send to the proxy, which spreads the
/// calls over the nodes by Call-ID; each callee registers with every node straight, so a call is answered by whichever
/// node takes it without crossing to another (the nodes share no state on the call path here: each has its own SQLite
/// with the same extensions). The CPU measured is the nodes' (Kamailio's is not counted).
/// </summary>
internal sealed class ClusterTarget : ILoadTarget
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private readonly List<PbxProcess> _nodes;
    private readonly List<CpuQuota> _quotas;
    private readonly Process _proxy;
    private readonly StreamWriter _proxyLog;

    private ClusterTarget(List<PbxProcess> nodes, List<CpuQuota> quotas, Process proxy, StreamWriter proxyLog, IPEndPoint sip, string logPath)
    {
        _nodes = nodes;
        _quotas = quotas;
        _proxy = proxy;
        _proxyLog = proxyLog;
        Sip = sip;
        LogPath = logPath;
    }

    public string Name => _nodes.Count == 1 ? "1 node" : $"{_nodes.Count} nodes";

    public IPEndPoint Sip { get; }

    public IReadOnlyList<IPEndPoint> Registrars => [.. _nodes.Select(n => n.Sip)];

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

    /// <summary>Starts <paramref name="count"/> nodes on data folders made by <paramref name="prepare"/>, each under its quota, then the proxy over them.</summary>
    public static async Task<ClusterTarget> StartAsync(int count, int quotaPercent, KamailioSettings kamailio, string serverDll, string mediaPorts,
        string work, string domain, Func<string, CancellationToken, Task> prepare, CancellationToken ct)
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
                await prepare(data, ct);
                var node = await PbxProcess.StartAsync(serverDll, data, domain, ports[i], ct);
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
            var target = new ClusterTarget(nodes, quotas, proxy, ChildProcess.CaptureOutput(proxy, logPath), new IPEndPoint(IPAddress.Loopback, port), logPath);
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
