namespace Switchboard.MediaLoad.Runs;

/// <summary>
/// One measured run. Direction 0 is caller to callee (browser to phone, or phone A to phone B), 1 the reverse.
/// Relay figures are the PBX's or rtpengine's process; delays and jitter are in milliseconds.
/// </summary>
internal sealed record RunResult
{
    public required string Relay { get; init; }

    public required string Mode { get; init; }

    public required int Calls { get; init; }

    public int SetUp { get; init; }

    public int Failed { get; init; }

    public IReadOnlyDictionary<string, int> FailureReasons { get; init; } = new Dictionary<string, int>();

    public double SetupSeconds { get; init; }

    public double HoldSeconds { get; init; }

    public double RelayCpuMsPerCallSecond { get; init; }

    public double RelayCpuPercentOfCore { get; init; }

    /// <summary>
    /// Relay CPU per packet it delivered in the window (both directions): unlike the per-call-second figure, this
    /// holds when a starved generator sent less than its schedule.
    /// </summary>
    public double RelayCpuMicrosPerPacket { get; init; }

    /// <summary>Relay CPU per call-second after subtracting the idle cost over the window.</summary>
    public double RelayNetCpuMsPerCallSecond { get; init; }

    /// <summary>CPU the relay spent per second before any call: its background cost.</summary>
    public double RelayIdleCpuMsPerSecond { get; init; }

    public double ToolCpuMsPerCallSecond { get; init; }

    public double[] LossPercent { get; init; } = [];

    public long[] PacketsSent { get; init; } = [];

    public double[] JitterMs { get; init; } = [];

    public double[] DelayP50Ms { get; init; } = [];

    public double[] DelayP95Ms { get; init; } = [];

    public double[] DelayP99Ms { get; init; } = [];

    public int ThreadsIdle { get; init; }

    public int ThreadsHold { get; init; }

    public long RssIdleKb { get; init; }

    public double RssPerCallKb { get; init; }

    /// <summary>Growth of the anonymous part of RSS (heap, native, stacks; not code) per call.</summary>
    public double RssAnonymousPerCallKb { get; init; }

    /// <summary>What one more call adds to RSS: the slope over the ramp (<see cref="MemorySlope"/>), without the first calls' one-time step.</summary>
    public double RssMarginalPerCallKb { get; init; }

    /// <summary>The same slope for the anonymous part of RSS.</summary>
    public double RssAnonymousMarginalPerCallKb { get; init; }

    /// <summary>The PBX's GC heap at its last collection before the calls (NaN for rtpengine).</summary>
    public double GcHeapIdleKb { get; init; }

    /// <summary>Growth of the PBX's GC heap (at its last collection) per call: what calls keep alive, plus young garbage.</summary>
    public double GcHeapPerCallKb { get; init; }

    public string LoadAverageStart { get; init; } = "";

    public string LoadAverageEnd { get; init; } = "";

    public long GeneratorSendErrors { get; init; }

    public long GeneratorLateTicks { get; init; }

    /// <summary>Measured packets sent per direction as a percentage of the schedule (calls up × 50/s × window).</summary>
    public double[] PacingPercent { get; init; } = [];

    public long GeneratorSkippedSlots { get; init; }

    public long UnexpectedDatagrams { get; init; }

    public int HangUpFailures { get; init; }
}
