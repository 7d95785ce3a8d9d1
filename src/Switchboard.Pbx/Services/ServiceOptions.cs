namespace Switchboard.Pbx.Services;

/// <summary>The numbers of the built-in services, and their behaviour (docs/media.md).</summary>
public sealed record ServiceOptions
{
    /// <summary>Dial this to hear yourself (the Asterisk convention).</summary>
    public string EchoNumber { get; init; } = "*43";

    public string DtmfTestNumber { get; init; } = "*44";

    /// <summary>Dial this (or map a DID to it) to reach the IVR's first menu.</summary>
    public string IvrNumber { get; init; } = "*50";

    /// <summary>An agent dials this to log in to its queues (docs/queues.md).</summary>
    public string QueueLoginNumber { get; init; } = "*45";

    /// <summary>An agent dials this to log out of its queues.</summary>
    public string QueueLogoutNumber { get; init; } = "*46";

    /// <summary>When set, the DTMF test hangs up by itself this long after answering (exercises remote hang-up).</summary>
    public TimeSpan? DtmfTestHangupAfter { get; init; }

    /// <summary>A safety limit on any call to a built-in service.</summary>
    public TimeSpan MaxServiceCallDuration { get; init; } = TimeSpan.FromHours(1);
}
