namespace Switchboard.Fuzz.Tests;

/// <summary>Where the committed corpus, regressions and scripts are, found from the test's output folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Corpus(string target) => Path.Combine(Root, "fuzz", "corpus", target);

    public static string Regressions(string target) => Path.Combine(Root, "fuzz", "regressions", target);

    public static string Script(string name) => Path.Combine(Root, "fuzz", name);

    /// <summary>The Switchboard.Fuzz build the test project copied next to itself.</summary>
    public static string FuzzBuild => AppContext.BaseDirectory;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Switchboard.slnx above {AppContext.BaseDirectory}");
    }
}
