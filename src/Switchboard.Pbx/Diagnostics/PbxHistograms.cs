using System.Diagnostics.Metrics;

namespace Switchboard.Pbx.Diagnostics;

/// <summary>
/// Durations the PBX measures as they happen, as <see cref="System.Diagnostics.Metrics"/> histograms on the meter the
/// host hands in (the web layer's <c>Switchboard</c> meter, exported at <c>/metrics</c>; docs/configuration.md,
/// "Metrics"). What is counted lives where it happens and is observed; a distribution cannot be observed afterwards,
/// so these are recorded: once per call, or once per store operation off the protocol loops, never per packet.
/// Each instrument advises its bucket boundaries, which OpenTelemetry takes as the histogram's buckets. A histogram
/// nobody listens to costs one check per record.
/// </summary>
public sealed class PbxHistograms
{
    public const string MediaSetupName = "switchboard.call.media_setup";
    public const string AnswerName = "switchboard.call.answer";
    public const string StoreName = "switchboard.store.operation";

    /// <summary>Offer to first SRTP sent: tens of milliseconds on a LAN, seconds when ICE or DTLS struggle.</summary>
    private static readonly double[] SetupBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Offer to answer: at once for a built-in service, the ringing time for a person (up to the no-answer timeout).</summary>
    private static readonly double[] AnswerBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

    /// <summary>A store operation: well under a millisecond from SQLite's page cache, tens of milliseconds for an fsync or a network round trip.</summary>
    private static readonly double[] StoreBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private readonly Histogram<double> _mediaSetup;
    private readonly Histogram<double> _answer;
    private readonly Histogram<double> _store;

    public PbxHistograms(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _mediaSetup = meter.CreateHistogram(MediaSetupName, "s", "A browser call's offer reaching the PBX to its first SRTP packet sent",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SetupBuckets });
        _answer = meter.CreateHistogram(AnswerName, "s", "A call's offer reaching the PBX to its answer (recorded when the call ends)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AnswerBuckets });
        _store = meter.CreateHistogram(StoreName, "s", "Store operations awaited off the protocol loops, by store and operation",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StoreBuckets });
    }

    public void RecordMediaSetup(TimeSpan offerToFirstSrtp) => _mediaSetup.Record(offerToFirstSrtp.TotalSeconds);

    public void RecordAnswer(TimeSpan offerToAnswer) => _answer.Record(offerToAnswer.TotalSeconds);

    /// <param name="store">The store's table or role: <c>directory</c>, <c>call_records</c>, <c>registrations</c>, <c>lockouts</c>.</param>
    /// <param name="operation">What it did, in snake case: <c>find_extension</c>, <c>write_batch</c>.</param>
    public void RecordStore(string store, string operation, TimeSpan elapsed) =>
        _store.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("store", store), new KeyValuePair<string, object?>("operation", operation));
}
