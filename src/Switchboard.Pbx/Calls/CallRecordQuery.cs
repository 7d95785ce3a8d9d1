namespace Switchboard.Pbx.Calls;

/// <summary>
/// A filter over the call records, newest first. Every filter is optional; they combine with AND.
/// Paging: pass the <see cref="CallRecord.StartedAt"/> of the last record of a page as <see cref="Before"/> for the next one.
/// </summary>
public sealed record CallRecordQuery
{
    public const int MaxLimit = 1000;

    public string? Domain { get; init; }

    /// <summary>The caller: a whole account (<c>100@demo.local</c>) or only its number (<c>100</c>).</summary>
    public string? From { get; init; }

    /// <summary>The dialled destination: a number, or an account whose number part matches.</summary>
    public string? To { get; init; }

    /// <summary>Started at or after.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Started before (exclusive).</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>The paging cursor: only records started strictly before it.</summary>
    public DateTimeOffset? Before { get; init; }

    /// <summary>Matches the start of <see cref="CallRecord.Route"/>: <c>trunk:</c>, <c>service:echo</c>.</summary>
    public string? RoutePrefix { get; init; }

    public string? Reason { get; init; }

    public int Limit { get; init; } = 100;

    /// <summary><see cref="Limit"/> held within 1..<see cref="MaxLimit"/>.</summary>
    public int EffectiveLimit => Math.Clamp(Limit, 1, MaxLimit);
}
