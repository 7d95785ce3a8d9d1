using Switchboard.Media.Playback;

namespace Switchboard.Pbx.Ivr;

/// <summary>The menus the IVR runs and the prompts they play, loaded once at start.</summary>
public sealed record IvrRuntime(IvrConfiguration Configuration, IvrPromptLibrary Prompts)
{
    /// <summary>The built-in demo menu with the prompts shipped next to the program.</summary>
    public static IvrRuntime Demo() => new(IvrConfiguration.Demo, IvrPromptLibrary.Load(IvrPromptLibrary.DefaultDirectory, out _));

    public bool TryGetPrompt(string name, out Prompt prompt) => Prompts.TryGet(name, out prompt);
}
