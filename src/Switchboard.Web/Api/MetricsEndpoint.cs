using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Media;

namespace Switchboard.Web.Api;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format, for loopback clients only: live calls and media
/// set-up latency. No numbers, names or addresses.
/// </summary>
internal static class MetricsEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/metrics", Render);

    private static IResult Render(HttpContext http, CallEngine calls, MediaSetupStats setup)
    {
        if (http.Connection.RemoteIpAddress is not { } ip || !System.Net.IPAddress.IsLoopback(ip))
        {
            return Results.NotFound();
        }

        var text = new StringBuilder();
        text.Append("# TYPE switchboard_calls_active gauge\nswitchboard_calls_active ").Append(calls.ActiveCalls).Append('\n');
        text.Append("# TYPE switchboard_media_setup_ms summary\n");
        foreach (var q in new[] { 0.5, 0.95 })
        {
            if (setup.Quantile(q) is { } ms)
            {
                text.Append(CultureInfo.InvariantCulture, $"switchboard_media_setup_ms{{quantile=\"{q}\"}} {ms:0.###}\n");
            }
        }

        text.Append("switchboard_media_setup_ms_count ").Append(setup.Count).Append('\n');
        AppendPhases(text, setup.Phases);
        if (http.RequestServices.GetService(typeof(Switchboard.Pbx.Sip.SipEndpoint)) is Switchboard.Pbx.Sip.SipEndpoint sip)
        {
            AppendSip(text, sip);
        }

        if (http.RequestServices.GetService(typeof(Switchboard.Media.WebRtc.MediaPortPool)) is Switchboard.Media.WebRtc.MediaPortPool ports)
        {
            Gauge(text, "switchboard_media_ports_in_use", ports.InUse);
            Gauge(text, "switchboard_media_ports_parked", ports.ParkedCount);
        }

        AppendRuntime(text);
        return Results.Text(text.ToString(), "text/plain; version=0.0.4");
    }

    /// <summary>Each set-up mark's time from its side's origin (docs/call-records.md, <c>phases</c>): p50, p95 and count per mark.</summary>
    private static void AppendPhases(StringBuilder text, CallPhaseStats phases)
    {
        text.Append("# TYPE switchboard_call_phase_ms summary\n");
        foreach (var (side, name, samples) in phases.All)
        {
            foreach (var q in new[] { 0.5, 0.95 })
            {
                if (samples.Quantile(q) is { } ms)
                {
                    text.Append(CultureInfo.InvariantCulture, $"switchboard_call_phase_ms{{side=\"{side}\",phase=\"{name}\",quantile=\"{q}\"}} {ms:0.###}\n");
                }
            }

            text.Append(CultureInfo.InvariantCulture, $"switchboard_call_phase_ms_count{{side=\"{side}\",phase=\"{name}\"}} {samples.Count}\n");
        }
    }

    private static void AppendSip(StringBuilder text, Switchboard.Pbx.Sip.SipEndpoint sip)
    {
        var c = sip.Counters;
        Counter(text, "switchboard_sip_received_total", c.Received);
        Counter(text, "switchboard_sip_sent_total", c.Sent);
        Counter(text, "switchboard_sip_send_failures_total", c.SendFailures);
        Counter(text, "switchboard_sip_bad_requests_total", c.BadRequests);
        Counter(text, "switchboard_sip_dropped_total", c.Dropped);
        Gauge(text, "switchboard_sip_client_transactions", c.ClientTransactions);
        Gauge(text, "switchboard_sip_server_transactions", c.ServerTransactions);
        Gauge(text, "switchboard_sip_dialogs", c.Dialogs);
        Gauge(text, "switchboard_sip_pending_store_work", sip.PendingStoreWork);
        Counter(text, "switchboard_sip_flood_admitted_total", c.Flood.Admitted);
        Counter(text, "switchboard_sip_flood_blocked_total", c.Flood.Blocked);
        Counter(text, "switchboard_sip_flood_blocked_sources_total", c.Flood.BlockedSources);
        Gauge(text, "switchboard_sip_flood_tracked_sources", c.Flood.TrackedSources);
    }

    /// <summary>What the runtime spends: bytes allocated since start (the load tools divide it by calls), collections, threads.</summary>
    private static void AppendRuntime(StringBuilder text)
    {
        Counter(text, "switchboard_runtime_allocated_bytes_total", GC.GetTotalAllocatedBytes(precise: false));
        for (var generation = 0; generation <= 2; generation++)
        {
            text.Append(CultureInfo.InvariantCulture, $"switchboard_runtime_gc_collections_total{{generation=\"{generation}\"}} {GC.CollectionCount(generation)}\n");
        }

        Gauge(text, "switchboard_runtime_gc_heap_bytes", GC.GetGCMemoryInfo().HeapSizeBytes);
        Gauge(text, "switchboard_runtime_threads", System.Diagnostics.Process.GetCurrentProcess().Threads.Count);
        Gauge(text, "switchboard_runtime_threadpool_threads", ThreadPool.ThreadCount);
    }

    private static void Counter(StringBuilder text, string name, long value) =>
        text.Append("# TYPE ").Append(name).Append(" counter\n").Append(name).Append(' ').Append(value).Append('\n');

    private static void Gauge(StringBuilder text, string name, long value) =>
        text.Append("# TYPE ").Append(name).Append(" gauge\n").Append(name).Append(' ').Append(value).Append('\n');
}
