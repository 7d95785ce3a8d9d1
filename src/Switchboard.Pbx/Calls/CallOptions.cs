namespace Switchboard.Pbx.Calls;

/// <summary>How long calls to extensions may ring and last.</summary>
public sealed record CallOptions
{
    /// <summary>After this long without an answer the PBX cancels every ringing phone: "no answer".</summary>
    public TimeSpan RingTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A trunk that has not answered an INVITE even provisionally (100 Trying) by then counts as down and the call
    /// moves to the next trunk; waiting for Timer B (32 s) would leave the caller in silence.
    /// </summary>
    public TimeSpan TrunkResponseTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// A phone whose RTP stops for this long, after it had flowed, is gone (power cut, network lost, crashed without
    /// BYE): the call ends as <see cref="CallEndReason.MediaTimeout"/> instead of lasting until <see cref="MaxCallDuration"/>.
    /// </summary>
    public TimeSpan RtpTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A safety limit on any answered call.</summary>
    public TimeSpan MaxCallDuration { get; init; } = TimeSpan.FromHours(4);

    /// <summary>The SIP user part of the PBX's own Contact.</summary>
    public string ContactUser { get; init; } = "pbx";
}
