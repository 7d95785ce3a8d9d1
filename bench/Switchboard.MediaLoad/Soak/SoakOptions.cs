namespace Switchboard.MediaLoad.Soak;

/// <summary>
/// A soak: <see cref="Concurrent"/> calls kept up for <see cref="Duration"/>, each held for a random time within
/// <see cref="HoldMin"/>..<see cref="HoldMax"/> and replaced when it ends; the PBX is read every <see cref="SampleEvery"/>.
/// </summary>
internal sealed record SoakOptions(TimeSpan Duration, int Concurrent, TimeSpan HoldMin, TimeSpan HoldMax, TimeSpan SampleEvery, string? ReportPath)
{
    /// <summary>
    /// Longer than any SIP transaction lingers after its final response (Timer J, 64*T1 = 32 s for UDP, RFC 3261
    /// section 17.2.2): only after it can "no transaction left" tell a leak from a transaction still absorbing retransmissions.
    /// </summary>
    public static readonly TimeSpan Drain = TimeSpan.FromSeconds(40);

    /// <summary>The first samples, left out of the flatness verdict: JIT, pools and caches filling up.</summary>
    public TimeSpan WarmUp => TimeSpan.FromTicks(Math.Max(SampleEvery.Ticks * 2, Duration.Ticks / 10));
}
