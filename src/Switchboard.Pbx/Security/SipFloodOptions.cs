using System.Net;

namespace Switchboard.Pbx.Security;

/// <summary>
/// The per-source SIP request limit (docs/security.md, "SIP flood guard"). The defaults leave room for an office of
/// phones behind one NAT address; a carrier's proxy and the addresses in <see cref="Exempt"/> are never limited.
/// </summary>
public sealed record SipFloodOptions
{
    /// <summary>Requests one source may send within <see cref="Window"/> before it is blocked; 0 turns the guard off.</summary>
    public int Rate { get; init; } = 200;

    /// <summary>The sampling window (Kamailio pike's sampling_time_unit, 2 s there too); a block lasts at least this long.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How many sources are tracked at most; beyond it idle ones are forgotten, and new ones admitted untracked.</summary>
    public int MaxSources { get; init; } = 16_384;

    /// <summary>Networks never limited: an office's NAT address, a monitoring host (trunk proxies are exempt without it).</summary>
    public IReadOnlyList<IPNetwork> Exempt { get; init; } = [];

    public bool Enabled => Rate > 0;
}
