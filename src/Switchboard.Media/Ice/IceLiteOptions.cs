namespace Switchboard.Media.Ice;

/// <summary>Settings of an <see cref="IceLiteAgent"/>.</summary>
public sealed record IceLiteOptions
{
    /// <summary>
    /// RFC 7675 section 5.1: consent expires when no valid check has arrived on the selected pair for
    /// this long. 30 s is the RFC's value; browsers refresh about every 5 s.
    /// </summary>
    public TimeSpan ConsentTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long after the agent starts a first nomination may take before the agent gives up.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Drop checks without FINGERPRINT (RFC 8445 section 7 requires it on every check; browsers always send it).</summary>
    public bool RequireFingerprint { get; init; } = true;
}
