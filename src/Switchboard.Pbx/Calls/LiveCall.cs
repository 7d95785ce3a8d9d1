namespace Switchboard.Pbx.Calls;

/// <summary>
/// A call that is up, as the portal's live view shows it (docs/admin.md, "Live calls"): an immutable picture the call
/// takes of itself on its own shard at each change of state, so any thread may read it without touching the call.
/// </summary>
/// <param name="State">routing, ringing, live, ivr, transfer or ending.</param>
/// <param name="CallerCodec">The codec agreed with the caller (PCMU, PCMA, opus); null before its media is set up.</param>
/// <param name="CalleeCodec">The codec agreed with the answering side; null before an answer or for a built-in service.</param>
public sealed record LiveCall(
    string CallId,
    string Domain,
    string From,
    string To,
    string Origin,
    string Route,
    string State,
    DateTimeOffset StartedAt,
    DateTimeOffset? AnsweredAt,
    string? CallerCodec,
    string? CalleeCodec)
{
    /// <summary>The caller's leg as of its last RTCP interval (loss over that interval); null before RTCP measured anything.</summary>
    public LegQualityFigures? CallerQuality { get; init; }

    /// <summary>The answering side's leg, the same way.</summary>
    public LegQualityFigures? CalleeQuality { get; init; }
}
