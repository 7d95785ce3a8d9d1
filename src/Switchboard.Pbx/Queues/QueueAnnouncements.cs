using Switchboard.Media.Playback;
using Switchboard.Pbx.Ivr;

namespace Switchboard.Pbx.Queues;

/// <summary>
/// "You are number 2 in the queue. The expected wait is about 3 minutes.", joined from the spoken pieces
/// <c>queue-LANG-*.wav</c> of the prompt folder (made by scripts/make-queue-prompts.sh; docs/queues.md, "Announcements").
/// </summary>
public static class QueueAnnouncements
{
    /// <summary>The highest number there is a piece for: a place or a wait beyond it is said as this.</summary>
    public const int MaxNumber = 20;

    /// <summary>The announcement, or null when the library lacks a piece it needs (the caller then just hears the music).</summary>
    public static Prompt? Compose(IvrPromptLibrary prompts, string language, int place, TimeSpan expectedWait)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var minutes = Math.Clamp((int)Math.Ceiling(expectedWait.TotalMinutes), 1, MaxNumber);
        var names = new List<string>();
        if (place is >= 1 and <= MaxNumber)
        {
            names.AddRange(["you-are-number", place.ToString(System.Globalization.CultureInfo.InvariantCulture), "in-the-queue"]);
        }

        names.Add("wait-about");
        if (minutes == 1)
        {
            names.Add("one-minute");
        }
        else
        {
            names.AddRange([minutes.ToString(System.Globalization.CultureInfo.InvariantCulture), "minutes"]);
        }

        var parts = new List<Prompt>(names.Count);
        foreach (var name in names)
        {
            if (!prompts.TryGet($"queue-{language}-{name}.wav", out var part))
            {
                return null;
            }

            parts.Add(part);
        }

        return Prompt.Concat($"queue-{language}-{place}-{minutes}", parts);
    }

    /// <summary>The confirmation of <c>*45</c> (logged in) or <c>*46</c> (logged out).</summary>
    public static string LoginPrompt(string language, bool loggedIn) => $"queue-{language}-{(loggedIn ? "logged-in" : "logged-out")}.wav";
}
