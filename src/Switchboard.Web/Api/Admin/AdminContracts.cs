using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;

namespace Switchboard.Web.Api.Admin;

// The JSON shapes of docs/admin.md. Property names are camelCase on the wire.

/// <param name="Domains">The domains this admin may choose: its own, or every one for a system admin.</param>
public sealed record AdminSessionReply(string Account, string Domain, string Role, string CsrfToken, IReadOnlyList<string> Domains, long MaxLinkDurationSeconds);

public sealed record ExtensionReply(string Account, string Domain, string Number, string DisplayName, string Role, DateTimeOffset CreatedAt)
{
    public static ExtensionReply Of(Extension e) => new(e.Account, e.Domain, e.Number, e.DisplayName, e.Role.ToCode(), e.CreatedAt);
}

public sealed record ExtensionListReply(IReadOnlyList<ExtensionReply> Extensions);

public sealed record NewExtensionBody(string? Domain, string? Number, string? DisplayName, string? WebPassword, string? SipPassword, string? Role);

/// <summary>A change to an extension: only the members present change.</summary>
public sealed record ExtensionChangeBody(string? DisplayName, string? WebPassword, string? SipPassword, string? Role);

/// <param name="Account">The calling extension, <c>ext@domain</c>.</param>
public sealed record LinkBodyForAdmin(string? Account, string? Destination, long? DurationSeconds, string? Lang, string? Label);

/// <param name="Snippet">The seed's HTML that opens <paramref name="Url"/> in a 230 x 300 popup.</param>
public sealed record AdminLinkReply(string Url, string Snippet, DateTimeOffset ExpiresAt);

/// <param name="Quality">Per-leg RTCP quality; null until the PBX measures it (docs/admin.md, "Live calls").</param>
/// <param name="Node">The node holding the call when nodes share their calls through Redis; null on a node alone.</param>
public sealed record LiveCallReply(
    string CallId,
    string Domain,
    string From,
    string To,
    string Origin,
    string Route,
    string State,
    DateTimeOffset StartedAt,
    DateTimeOffset? AnsweredAt,
    double DurationSeconds,
    string? CallerCodec,
    string? CalleeCodec,
    QualityReply? Quality,
    string? Node = null)
{
    /// <summary>The talk time so far once answered, else the time since the call started.</summary>
    public static LiveCallReply Of(LiveCall c, DateTimeOffset now, string? node = null) => new(c.CallId, c.Domain, c.From, c.To, c.Origin, c.Route, c.State,
        c.StartedAt, c.AnsweredAt, Math.Max(0, (now - (c.AnsweredAt ?? c.StartedAt)).TotalSeconds), c.CallerCodec, c.CalleeCodec,
        QualityReply.Of(c.CallerQuality, c.CalleeQuality), node);
}

public sealed record LiveCallListReply(IReadOnlyList<LiveCallReply> Calls);

/// <param name="Transport">udp, tcp, tls, ws or wss: the flow the REGISTER came on, which calls to it use.</param>
/// <param name="Remote">The address the REGISTER came from (behind NAT, not the Contact's).</param>
public sealed record RegistrationReply(string Account, string Contact, string Transport, string Remote, string? UserAgent, DateTimeOffset ExpiresAt, long ExpiresInSeconds);

public sealed record RegistrationListReply(IReadOnlyList<RegistrationReply> Registrations);
