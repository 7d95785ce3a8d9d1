namespace Switchboard.Pbx.Calls;

/// <summary>How long calls to extensions may ring and last.</summary>
public sealed record CallOptions
{
    /// <summary>After this long without an answer the PBX cancels every ringing phone: "no answer".</summary>
    public TimeSpan RingTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A safety limit on any answered call.</summary>
    public TimeSpan MaxCallDuration { get; init; } = TimeSpan.FromHours(4);

    /// <summary>The SIP user part of the PBX's own Contact.</summary>
    public string ContactUser { get; init; } = "pbx";
}
