using System.Diagnostics.Tracing;

namespace Switchboard.Benchmarks;

/// <summary>
/// The runtime's own allocation sampling (the GCAllocationTick event, about one per 100 KB allocated, naming the type
/// of the object that crossed the mark), added up by type while <see cref="Sampling"/> is on: where the bytes
/// <c>--stages</c> counts go, by type (<c>--alloc-types</c>). A sample, so small types show only over many calls.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);

    public bool Sampling { get; set; }

    /// <summary>Bytes sampled per type, largest first.</summary>
    public IReadOnlyList<(string Type, long Bytes)> ByType()
    {
        lock (_bytes)
        {
            return [.. _bytes.OrderByDescending(x => x.Value).Select(x => (x.Key, x.Value))];
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Sampling || eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is not { } names)
        {
            return;
        }

        var type = names.IndexOf("TypeName") is >= 0 and var t ? eventData.Payload![t] as string ?? "?" : "?";
        var amount = names.IndexOf("AllocationAmount64") is >= 0 and var a ? Convert.ToInt64(eventData.Payload![a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        lock (_bytes)
        {
            _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
        }
    }
}
