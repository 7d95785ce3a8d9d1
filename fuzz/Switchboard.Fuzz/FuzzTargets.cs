using Switchboard.Fuzz.Targets;

namespace Switchboard.Fuzz;

/// <summary>Every target by name; <see cref="CreateAsync"/> builds one (the DTLS target needs a handshake first).</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<string> Names { get; } =
    [
        SipTarget.TargetName,
        SipStreamTarget.TargetName,
        SdpTarget.TargetName,
        StunTarget.TargetName,
        RtpRtcpTarget.TargetName,
        SrtpTarget.TargetName,
        DtlsTarget.TargetName,
        CallSocketTarget.TargetName,
        SignedLinkTarget.TargetName,
        IvrTarget.TargetName,
    ];

    public static async Task<IFuzzTarget> CreateAsync(string name) => name switch
    {
        SipTarget.TargetName => new SipTarget(),
        SipStreamTarget.TargetName => new SipStreamTarget(),
        SdpTarget.TargetName => new SdpTarget(),
        StunTarget.TargetName => new StunTarget(),
        RtpRtcpTarget.TargetName => new RtpRtcpTarget(),
        SrtpTarget.TargetName => new SrtpTarget(),
        DtlsTarget.TargetName => await DtlsTarget.CreateAsync().ConfigureAwait(false),
        CallSocketTarget.TargetName => new CallSocketTarget(),
        SignedLinkTarget.TargetName => new SignedLinkTarget(),
        IvrTarget.TargetName => new IvrTarget(),
        _ => throw new ArgumentException($"Unknown target '{name}'; known: {string.Join(", ", Names)}", nameof(name)),
    };
}
