namespace Switchboard.Pbx.Ivr;

public enum IvrActionKind
{
    /// <summary>Play <see cref="IvrAction.Argument"/> (a prompt file name) and report its end with <c>PromptFinished</c>.</summary>
    Play,

    /// <summary>Stop the prompt that is playing (the caller pressed a key: barge-in).</summary>
    StopPrompt,

    /// <summary>Connect the caller to <see cref="IvrAction.Argument"/> (an extension, a service, or <c>group:NAME</c>); the session is over.</summary>
    Transfer,

    /// <summary>Hang up; <see cref="IvrAction.Argument"/> says why. The session is over.</summary>
    Hangup,
}

/// <summary>What an <see cref="IvrSession"/> asks its call to do.</summary>
public readonly record struct IvrAction(IvrActionKind Kind, string? Argument = null)
{
    public static IvrAction Play(string prompt) => new(IvrActionKind.Play, prompt);

    public static IvrAction StopPrompt() => new(IvrActionKind.StopPrompt);

    public static IvrAction Transfer(string destination) => new(IvrActionKind.Transfer, destination);

    public static IvrAction Hangup(string reason) => new(IvrActionKind.Hangup, reason);
}
