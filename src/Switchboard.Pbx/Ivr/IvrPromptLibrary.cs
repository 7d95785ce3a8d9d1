using Switchboard.Media.Playback;

namespace Switchboard.Pbx.Ivr;

/// <summary>
/// The prompts menus name, loaded once from WAV files (8 kHz, 16-bit, mono) in a folder: by default
/// the ones shipped next to the program (Ivr/Prompts). Immutable after loading; shared by all calls.
/// </summary>
public sealed class IvrPromptLibrary
{
    private readonly Dictionary<string, Prompt> _prompts;

    private IvrPromptLibrary(Dictionary<string, Prompt> prompts) => _prompts = prompts;

    /// <summary>Where the project's own prompts are copied at build time.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "Ivr", "Prompts");

    public IReadOnlyCollection<string> Names => _prompts.Keys;

    /// <summary>Every *.wav in <paramref name="directory"/>; <paramref name="errors"/> names the files that could not be used.</summary>
    public static IvrPromptLibrary Load(string directory, out IReadOnlyList<string> errors)
    {
        var prompts = new Dictionary<string, Prompt>(StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        if (System.IO.Directory.Exists(directory))
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*.wav"))
            {
                var name = Path.GetFileName(file);
                if (Prompt.TryFromWav(name, File.ReadAllBytes(file), out var error) is { } prompt)
                {
                    prompts[name] = prompt;
                }
                else
                {
                    problems.Add($"{name}: {error}");
                }
            }
        }
        else
        {
            problems.Add($"{directory}: no such folder");
        }

        errors = problems;
        return new IvrPromptLibrary(prompts);
    }

    public bool TryGet(string name, out Prompt prompt) => _prompts.TryGetValue(name, out prompt!);

    /// <summary>The prompts <paramref name="configuration"/> names that this library lacks (check at start-up).</summary>
    public IEnumerable<string> Missing(IvrConfiguration configuration) =>
        configuration.Menus
            .SelectMany(m => new[] { m.Prompt, m.InvalidPrompt, m.GoodbyePrompt })
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(name => !_prompts.ContainsKey(name));
}
