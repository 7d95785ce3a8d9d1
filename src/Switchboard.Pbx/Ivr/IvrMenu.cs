namespace Switchboard.Pbx.Ivr;

/// <summary>
/// One menu of an auto attendant: a prompt, and the key that leads where. A destination is an
/// extension or service number (<c>100</c>, <c>*43</c>), another menu (<c>menu:NAME</c>) or a ring
/// group (<c>group:NAME</c>); see docs/ivr.md. Prompts are file names in the prompt folder.
/// </summary>
public sealed record IvrMenu(string Name, string Prompt, IReadOnlyDictionary<char, string> Options)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public const int DefaultMaxRetries = 3;

    /// <summary>How long to wait for a key after the prompt ended.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>How many times the menu is replayed after an invalid key or a timeout before the caller hears goodbye.</summary>
    public int MaxRetries { get; init; } = DefaultMaxRetries;

    public string InvalidPrompt { get; init; } = IvrDestinations.InvalidPrompt;

    public string GoodbyePrompt { get; init; } = IvrDestinations.GoodbyePrompt;
}

/// <summary>How a destination string reads, and the names of the built-in prompts.</summary>
public static class IvrDestinations
{
    public const string MenuPrefix = "menu:";

    public const string RingGroupPrefix = "group:";

    public const string WelcomePrompt = "welcome.wav";

    public const string InvalidPrompt = "invalid.wav";

    public const string GoodbyePrompt = "goodbye.wav";

    /// <summary>The menu a destination names, or null when it names something else.</summary>
    public static string? MenuName(string destination) =>
        destination.StartsWith(MenuPrefix, StringComparison.Ordinal) ? destination[MenuPrefix.Length..] : null;

    /// <summary>The ring group a destination names, or null when it names something else.</summary>
    public static string? RingGroupName(string destination) =>
        destination.StartsWith(RingGroupPrefix, StringComparison.Ordinal) ? destination[RingGroupPrefix.Length..] : null;

    /// <summary>The keys of a telephone keypad (RFC 4733 events 0-11).</summary>
    public static bool IsKey(char key) => key is (>= '0' and <= '9') or '*' or '#';
}
