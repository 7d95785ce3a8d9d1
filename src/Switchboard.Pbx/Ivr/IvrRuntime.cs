using Switchboard.Media.Playback;

namespace Switchboard.Pbx.Ivr;

/// <summary>
/// The menus the IVR runs and the prompts they play. The menus can be read again from their file while the PBX runs
/// (docs/ivr.md, "Reloading"): a file that does not pass <see cref="IvrConfigurationLoader"/> is refused whole and
/// the menus in use stay. A call takes the menus when it enters the IVR, so a reload never changes one mid-menu.
/// </summary>
public sealed class IvrRuntime
{
    // Swapped whole by a reload, read by calls on their shards: a reference write is atomic, volatile makes it seen.
    private volatile IvrConfiguration _configuration;

    /// <param name="file">Where <paramref name="configuration"/> was read from, for <see cref="TryReload"/>; null when it was not a file.</param>
    public IvrRuntime(IvrConfiguration configuration, IvrPromptLibrary prompts, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(prompts);
        _configuration = configuration;
        Prompts = prompts;
        File = file;
    }

    public IvrConfiguration Configuration => _configuration;

    public IvrPromptLibrary Prompts { get; }

    /// <summary>The ivr.json this runtime reads; the built-in demo is used while it does not exist.</summary>
    public string? File { get; }

    /// <summary>The built-in demo menu with the prompts shipped next to the program.</summary>
    public static IvrRuntime Demo() => new(IvrConfiguration.Demo, IvrPromptLibrary.Load(IvrPromptLibrary.DefaultDirectory, out _));

    public bool TryGetPrompt(string name, out Prompt prompt) => Prompts.TryGet(name, out prompt);

    /// <summary>Reads <see cref="File"/> again and uses it when it is valid (the demo menu when the file is gone).</summary>
    /// <returns>false, with the loader's error naming the field, when the file is refused: the menus in use stay.</returns>
    public bool TryReload(out string? error)
    {
        if (File is null)
        {
            error = "these menus were not read from a file";
            return false;
        }

        if (!IvrConfigurationLoader.TryLoadFile(File, out var configuration, out error))
        {
            return false;
        }

        _configuration = configuration;
        return true;
    }
}
