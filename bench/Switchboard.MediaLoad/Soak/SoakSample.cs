using System.Net;
using Switchboard.MediaLoad.Runs;

namespace Switchboard.MediaLoad.Soak;

/// <summary>One reading of the PBX during a soak: what /proc says of the process and what its /metrics say of calls, dialogs and ports.</summary>
internal sealed record SoakSample(
    TimeSpan At,
    long RssKb,
    int Threads,
    int OpenFiles,
    double GcHeapBytes,
    double LongLivedBytes,
    double ActiveCalls,
    double Dialogs,
    double Transactions,
    double PortsInUse,
    double PortsParked,
    long Placed,
    long Completed,
    long Failed,
    int GeneratorStreams)
{
    public static async Task<SoakSample> ReadAsync(TimeSpan at, int pid, HttpClient http, IPEndPoint pbx, SoakCounters counters, int generatorStreams, CancellationToken ct)
    {
        var process = ProcessSample.Read(pid);
        var metrics = await PbxMetrics.ReadAsync(http, pbx, ct);
        return new SoakSample(
            at,
            process.RssKb,
            process.Threads,
            Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length,
            metrics.Get("switchboard_runtime_gc_heap_bytes"),
            metrics.Get("switchboard_runtime_gc_long_lived_bytes"),
            metrics.Get("switchboard_calls_active"),
            metrics.Get("switchboard_sip_dialogs"),
            metrics.Get("switchboard_sip_server_transactions") + metrics.Get("switchboard_sip_client_transactions"),
            metrics.Get("switchboard_media_ports_in_use"),
            metrics.Get("switchboard_media_ports_parked"),
            counters.Placed,
            counters.Completed,
            counters.Failed,
            generatorStreams);
    }
}

/// <summary>The soak's own tallies, updated by every call worker.</summary>
internal sealed class SoakCounters
{
    private long _placed;
    private long _completed;
    private long _failed;

    public long Placed => Interlocked.Read(ref _placed);

    /// <summary>Calls that were answered, held and hung up with the PBX's agreement.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Calls that failed to set up or whose hang-up was not agreed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public void OnPlaced() => Interlocked.Increment(ref _placed);

    public void OnCompleted() => Interlocked.Increment(ref _completed);

    public void OnFailed() => Interlocked.Increment(ref _failed);
}
