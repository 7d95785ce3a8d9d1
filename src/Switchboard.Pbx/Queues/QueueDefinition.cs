using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Queues;

/// <summary>
/// A call queue (ACD) of a domain (docs/queues.md): callers who dial its <see cref="Number"/> (or reach
/// <c>queue:NAME</c> from the IVR, a DID or another queue's fallback) wait in order, hearing hold music, until a
/// logged-in idle member answers. <see cref="Members"/> are extension numbers of the domain.
/// </summary>
/// <param name="Fallback">Where a caller goes after <see cref="MaxWait"/>: a number (<c>*50</c> the IVR), <c>queue:NAME</c>,
/// or <c>hangup:REASON</c> (<see cref="HangupReasons"/>); null hangs up as unavailable.</param>
/// <param name="AnnounceEvery">How often a waiting caller hears its position and the expected wait.</param>
/// <param name="RingTimeout">How long one offer rings an agent before the next agent is tried.</param>
/// <param name="Language"><c>en</c> or <c>de</c>: the announcements' language.</param>
/// <param name="HoldMusic">A WAV file of the prompt folder, looped while the caller waits.</param>
public sealed record QueueDefinition(
    long Id,
    string Domain,
    string Name,
    string? Number,
    QueueStrategy Strategy,
    IReadOnlyList<string> Members,
    TimeSpan MaxWait,
    string? Fallback,
    TimeSpan WrapUp,
    TimeSpan AnnounceEvery,
    TimeSpan RingTimeout,
    string Language,
    string HoldMusic)
{
    public const string DestinationPrefix = "queue:";
    public const string HangupPrefix = "hangup:";
    public const string DefaultHoldMusic = "hold-music.wav";

    /// <summary>The reasons a <c>hangup:</c> fallback may give, as the call record and the popup name them.</summary>
    public static readonly IReadOnlyList<string> HangupReasons = ["unavailable", "busy", "no_answer", "declined"];

    public static readonly IReadOnlyList<string> Languages = ["en", "de"];

    /// <summary>The first problem, naming the field, or null when the queue is usable.</summary>
    public string? Validate()
    {
        if (!IsShortName(Name))
        {
            return $"--name: '{Name}' must be 1-32 letters, digits, '-' or '_'";
        }

        for (var i = 0; i < Members.Count; i++)
        {
            if (!Names.IsExtensionNumber(Members[i]))
            {
                return $"members[{i}]: '{Members[i]}' is not an extension number";
            }
        }

        if (Members.Distinct(StringComparer.Ordinal).Count() != Members.Count)
        {
            return "members: an extension is listed twice";
        }

        if (Number is not null && !Names.IsExtensionNumber(Number))
        {
            return $"--number: '{Number}' is not a number of digits";
        }

        if (MaxWait <= TimeSpan.Zero || WrapUp < TimeSpan.Zero || AnnounceEvery <= TimeSpan.Zero || RingTimeout <= TimeSpan.Zero)
        {
            return "--max-wait, --announce-every and --ring-timeout must be positive, --wrap-up not negative";
        }

        if (!Languages.Contains(Language))
        {
            return $"--language: '{Language}' is not en or de";
        }

        if (string.IsNullOrWhiteSpace(HoldMusic) || HoldMusic.Contains('/', StringComparison.Ordinal) || HoldMusic.Contains('\\', StringComparison.Ordinal))
        {
            return $"--hold-music: '{HoldMusic}' is not a file name of the prompt folder";
        }

        return Fallback is null ? null : CheckFallback(Fallback, Name);
    }

    /// <summary>1-32 letters, digits, '-' or '_', like a trunk's name.</summary>
    public static bool IsShortName(string? name) =>
        name is { Length: >= 1 and <= 32 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string? CheckFallback(string fallback, string name)
    {
        if (fallback.StartsWith(HangupPrefix, StringComparison.Ordinal))
        {
            return HangupReasons.Contains(fallback[HangupPrefix.Length..]) ? null
                : $"--fallback: '{fallback}' names no reason ({string.Join(", ", HangupReasons)})";
        }

        if (fallback.StartsWith(DestinationPrefix, StringComparison.Ordinal))
        {
            var other = fallback[DestinationPrefix.Length..];
            return other == name ? "--fallback: a queue cannot fall back to itself"
                : IsShortName(other) ? null : $"--fallback: '{other}' is not a queue name";
        }

        return Names.IsDialString(fallback) ? null : $"--fallback: '{fallback}' is not a number, queue:NAME or hangup:REASON";
    }
}
