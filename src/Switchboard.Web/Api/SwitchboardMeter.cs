using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Media;
using Switchboard.Pbx.Sip;

namespace Switchboard.Web.Api;

/// <summary>
/// The PBX's metrics as <see cref="System.Diagnostics.Metrics"/> instruments on the meter <see cref="Name"/>, read by
/// OpenTelemetry and served by its Prometheus exporter at <c>GET /metrics</c> (loopback only). Every
/// observable one reads what the PBX already counts (no work on a call's or a packet's path; the SIP loop's per-message
/// counts are increments in arrays of longs), and the histograms of <see cref="Pbx.Diagnostics.PbxHistograms"/> are
/// recorded once per call or store operation. docs/configuration.md, "Metrics", lists them all. OpenTelemetry turns
/// <c>switchboard.sip.received</c> (a counter) into <c>switchboard_sip_received_total</c>, and so on.
/// </summary>
public sealed class SwitchboardMeter : IDisposable
{
    public const string Name = "Switchboard";
    private static readonly double[] Quantiles = [0.5, 0.95];
    private readonly Meter _meter;

    public SwitchboardMeter(IMeterFactory factory, IServiceProvider services)
    {
        _meter = factory.Create(Name);
        var calls = services.GetRequiredService<CallEngine>();
        var setup = services.GetRequiredService<MediaSetupStats>();
        _meter.CreateObservableGauge("switchboard.calls.active", () => calls.ActiveCalls, description: "Calls up now");
        _meter.CreateObservableCounter("switchboard.calls.started", () => calls.CallsStarted, description: "Calls started since start (its rate is calls per second)");
        _meter.CreateObservableCounter("switchboard.calls.ended", () => EndedByReason(calls), description: "Calls ended since start, by reason");
        AddQuality(calls.Quality);
        _meter.CreateObservableGauge("switchboard.media.setup_ms", () => SetupQuantiles(setup), description: "Offer received to first SRTP sent, recent calls");
        _meter.CreateObservableGauge("switchboard.call.phase_ms", () => PhaseQuantiles(setup.Phases), description: "Each set-up mark's time from its side's origin, recent calls");
        if (services.GetService<SipEndpoint>() is { } sip)
        {
            AddSip(sip);
        }

        if (services.GetService<MediaPortPool>() is { } ports)
        {
            _meter.CreateObservableGauge("switchboard.media.ports_in_use", () => ports.InUse, description: "Media ports held by legs");
            _meter.CreateObservableGauge("switchboard.media.ports_parked", () => ports.ParkedCount, description: "Media ports parked for reuse");
        }

        if (services.GetService<Pbx.Registrar.LocationService>() is { } location)
        {
            _meter.CreateObservableGauge("switchboard.registrations", () => location.Count, description: "Contact bindings held by the registrar");
        }

        if (services.GetService<Pbx.Security.AuthFailureCounters>() is { } failures)
        {
            _meter.CreateObservableCounter("switchboard.auth.failures", () => FailuresByPathAndReason(failures),
                description: "Refused authentications (web login, signed link, SIP digest), by path and reason");
        }

        if (services.GetService<Pbx.Security.LoginThrottle>() is { } throttle)
        {
            _meter.CreateObservableCounter("switchboard.auth.lockouts", () => throttle.LockoutsStarted, description: "Lockouts of an account or address started by failures here");
        }

        // The histograms (set-up, answer, store latency) are recorded where they happen, on this meter: made here at the
        // latest, so that they exist from the first scrape on.
        _ = services.GetService<Pbx.Diagnostics.PbxHistograms>();

        if (services.GetService<Pbx.Policy.PolicyCounters>() is { } policy)
        {
            _meter.CreateObservableCounter("switchboard.policy.denied", () => DeniedByReason(policy), description: "Calls refused by the toll-fraud policy, by reason");
        }

        AddRuntime();
    }

    public void Dispose() => _meter.Dispose();

    private void AddSip(SipEndpoint sip)
    {
        _meter.CreateObservableCounter("switchboard.sip.received", () => sip.Counters.Received, description: "SIP messages received");
        _meter.CreateObservableCounter("switchboard.sip.sent", () => sip.Counters.Sent, description: "SIP messages sent");
        _meter.CreateObservableCounter("switchboard.sip.requests", () => RequestsByMethod(sip),
            description: "SIP requests received and sent (retransmissions included), by direction and method");
        _meter.CreateObservableCounter("switchboard.sip.responses", () => ResponsesByClass(sip),
            description: "SIP responses received and sent (retransmissions included), by direction and class");
        _meter.CreateObservableCounter("switchboard.sip.send_failures", () => sip.Counters.SendFailures);
        _meter.CreateObservableCounter("switchboard.sip.bad_requests", () => sip.Counters.BadRequests, description: "Malformed requests answered 400");
        _meter.CreateObservableCounter("switchboard.sip.dropped", () => sip.Counters.Dropped, description: "Malformed messages dropped unanswered");
        _meter.CreateObservableGauge("switchboard.sip.client_transactions", () => sip.Counters.ClientTransactions);
        _meter.CreateObservableGauge("switchboard.sip.server_transactions", () => sip.Counters.ServerTransactions);
        _meter.CreateObservableGauge("switchboard.sip.dialogs", () => sip.Counters.Dialogs);
        _meter.CreateObservableGauge("switchboard.sip.pending_store_work", () => sip.PendingStoreWork);
        _meter.CreateObservableCounter("switchboard.sip.flood.admitted", () => sip.Counters.Flood.Admitted);
        _meter.CreateObservableCounter("switchboard.sip.flood.blocked", () => sip.Counters.Flood.Blocked, description: "Requests dropped by the flood guard");
        _meter.CreateObservableCounter("switchboard.sip.flood.blocked_sources", () => sip.Counters.Flood.BlockedSources);
        _meter.CreateObservableGauge("switchboard.sip.flood.tracked_sources", () => sip.Counters.Flood.TrackedSources);
    }

    /// <summary>
    /// The finished calls' media quality as sums (docs/media.md, "Call quality"), so a dashboard divides rates: the loss
    /// ratio is lost / expected, the mean jitter and MOS per leg are their sums over <c>legs_measured</c>.
    /// </summary>
    private void AddQuality(QualityCounters quality)
    {
        _meter.CreateObservableCounter("switchboard.media.legs_measured", () => quality.Snapshot().Legs, description: "Media legs of finished calls with quality figures");
        _meter.CreateObservableCounter("switchboard.media.packets_expected", () => quality.Snapshot().PacketsExpected, description: "RTP packets expected on those legs, both directions (RFC 3550 A.3)");
        _meter.CreateObservableCounter("switchboard.media.packets_lost", () => quality.Snapshot().PacketsLost, description: "RTP packets lost on those legs, both directions");
        _meter.CreateObservableCounter("switchboard.media.jitter_ms_sum", () => quality.Snapshot().JitterMsSum, description: "Sum of those legs' interarrival jitter, ms (RFC 3550 A.8)");
        _meter.CreateObservableCounter("switchboard.media.mos_sum", () => quality.Snapshot().MosSum, description: "Sum of those legs' E-model MOS estimates (ITU-T G.107)");
    }

    /// <summary>What the runtime spends: bytes allocated since start (the load tools divide it by calls), collections, heap, threads.</summary>
    private void AddRuntime()
    {
        _meter.CreateObservableCounter("switchboard.runtime.allocated_bytes", () => GC.GetTotalAllocatedBytes(precise: false));
        _meter.CreateObservableCounter("switchboard.runtime.gc_collections", () => new[]
        {
            new Measurement<long>(GC.CollectionCount(0), new KeyValuePair<string, object?>("generation", "0")),
            new Measurement<long>(GC.CollectionCount(1), new KeyValuePair<string, object?>("generation", "1")),
            new Measurement<long>(GC.CollectionCount(2), new KeyValuePair<string, object?>("generation", "2")),
        });
        _meter.CreateObservableGauge("switchboard.runtime.gc_heap_bytes", () => GC.GetGCMemoryInfo().HeapSizeBytes, description: "Heap size at the last collection, young objects included");
        _meter.CreateObservableGauge("switchboard.runtime.gc_long_lived_bytes", LongLivedBytes, description: "Generation 2, large and pinned object heaps after the last collection: what a leak grows");
        _meter.CreateObservableGauge("switchboard.runtime.threads", () => System.Diagnostics.Process.GetCurrentProcess().Threads.Count);
        _meter.CreateObservableGauge("switchboard.runtime.threadpool_threads", () => ThreadPool.ThreadCount);
    }

    /// <summary>
    /// The heap without generations 0 and 1, which swing by megabytes between collections: a soak judges
    /// growth on this (generation indexes 2, 3 = large objects, 4 = pinned objects).
    /// </summary>
    private static long LongLivedBytes()
    {
        var generations = GC.GetGCMemoryInfo().GenerationInfo;
        long bytes = 0;
        for (var i = 2; i < generations.Length; i++)
        {
            bytes += generations[i].SizeAfterBytes;
        }

        return bytes;
    }

    private static IEnumerable<Measurement<long>> EndedByReason(CallEngine calls)
    {
        foreach (var (reason, count) in calls.EndedByReason)
        {
            yield return new Measurement<long>(count, new KeyValuePair<string, object?>("reason", reason.ToCode()));
        }
    }

    private static IEnumerable<Measurement<long>> RequestsByMethod(SipEndpoint sip)
    {
        foreach (var (direction, tally) in new[] { ("received", sip.Received), ("sent", sip.Sent) })
        {
            foreach (var (method, count) in tally.Requests)
            {
                yield return new Measurement<long>(count, new KeyValuePair<string, object?>("direction", direction), new KeyValuePair<string, object?>("method", method));
            }
        }
    }

    private static IEnumerable<Measurement<long>> ResponsesByClass(SipEndpoint sip)
    {
        foreach (var (direction, tally) in new[] { ("received", sip.Received), ("sent", sip.Sent) })
        {
            foreach (var (statusClass, count) in tally.Responses)
            {
                yield return new Measurement<long>(count, new KeyValuePair<string, object?>("direction", direction), new KeyValuePair<string, object?>("class", statusClass));
            }
        }
    }

    private static IEnumerable<Measurement<long>> FailuresByPathAndReason(Pbx.Security.AuthFailureCounters failures)
    {
        foreach (var (path, reason, count) in failures.All)
        {
            yield return new Measurement<long>(count, new KeyValuePair<string, object?>("path", path), new KeyValuePair<string, object?>("reason", reason));
        }
    }

    private static IEnumerable<Measurement<long>> DeniedByReason(Pbx.Policy.PolicyCounters policy)
    {
        foreach (var reason in Enum.GetValues<Pbx.Policy.PolicyDenial>())
        {
            yield return new Measurement<long>(policy.Denied(reason), new KeyValuePair<string, object?>("reason", SnakeCase(reason.ToString())));
        }
    }

    /// <summary>ExtensionPerMinute to extension_per_minute, as every other label value here is written.</summary>
    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private static IEnumerable<Measurement<double>> SetupQuantiles(MediaSetupStats setup)
    {
        foreach (var q in Quantiles)
        {
            if (setup.Quantile(q) is { } ms)
            {
                yield return new Measurement<double>(ms, new KeyValuePair<string, object?>("quantile", q));
            }
        }
    }

    private static IEnumerable<Measurement<double>> PhaseQuantiles(CallPhaseStats phases)
    {
        foreach (var (side, name, samples) in phases.All)
        {
            foreach (var q in Quantiles)
            {
                if (samples.Quantile(q) is { } ms)
                {
                    yield return new Measurement<double>(ms,
                        new KeyValuePair<string, object?>("side", side), new KeyValuePair<string, object?>("phase", name), new KeyValuePair<string, object?>("quantile", q));
                }
            }
        }
    }
}
