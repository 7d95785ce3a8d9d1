namespace Switchboard.Pbx.Calls;

/// <summary>One finished call, as the CDR keeps it.</summary>
/// <param name="Route">What the destination resolved to: <c>extension</c>, <c>service:echo</c>, <c>trunk:name</c>, or <c>none</c>.</param>
/// <param name="Origin">How the call was placed: <c>web</c> (logged-in popup), <c>link</c> (signed link), <c>token</c> (a minted call token), <c>sip</c>.</param>
/// <param name="EndedBy"><c>caller</c>, <c>callee</c> or <c>pbx</c>.</param>
/// <param name="Digits">DTMF digits received, where the route records them.</param>
public sealed record CallRecord(
    string CallId,
    string Domain,
    string From,
    string Destination,
    string Origin,
    string Route,
    DateTimeOffset StartedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset EndedAt,
    string Reason,
    string EndedBy,
    string? Digits)
{
    /// <summary>Each digit with its duration in milliseconds, e.g. <c>1:120 2:100 #:110</c>.</summary>
    public string? DigitLog { get; init; }

    /// <summary>The call's set-up marks as compact JSON (docs/call-records.md, <c>phases</c>); null when none were taken.</summary>
    public string? Phases { get; init; }

    /// <summary>The label of the call token the call was placed with (docs/tokens.md); null otherwise.</summary>
    public string? TokenLabel { get; init; }

    /// <summary>The caller's media leg quality over the call (docs/call-records.md, <c>caller_*</c>); null when RTCP measured nothing.</summary>
    public LegQualityFigures? CallerQuality { get; init; }

    /// <summary>The answering side's media leg quality over the call; null without an answer or a measurement.</summary>
    public LegQualityFigures? CalleeQuality { get; init; }

    /// <summary>The popup's last report of its own view (<see cref="Calls.PageQuality.ToJson"/>); null when none came.</summary>
    public string? PageQuality { get; init; }
    /// <summary>The last queue the caller waited in (docs/queues.md); null when it reached none.</summary>
    public string? Queue { get; init; }

    /// <summary>How long the caller waited in queues until an agent answered (or until it left); null without a queue.</summary>
    public TimeSpan? QueueWait { get; init; }

    /// <summary>The extension number of the agent who answered the queued caller; null when none did.</summary>
    public string? Agent { get; init; }

    public TimeSpan Duration => AnsweredAt is { } answered ? EndedAt - answered : TimeSpan.Zero;
}
