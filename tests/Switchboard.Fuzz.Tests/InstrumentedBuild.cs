namespace Switchboard.Fuzz.Tests;

/// <summary>One SharpFuzz-instrumented copy of the Switchboard.Fuzz build for every smoke run, deleted afterwards.</summary>
public sealed class InstrumentedBuild : IAsyncLifetime
{
    public string WorkDir { get; } = System.IO.Directory.CreateTempSubdirectory("switchboard-fuzz-").FullName;

    public string Directory => Path.Combine(WorkDir, "instrumented");

    public async Task InitializeAsync()
    {
        var (code, output) = await Shell.RunAsync("bash", [RepoPaths.Script("instrument.sh"), RepoPaths.FuzzBuild, Directory], TimeSpan.FromMinutes(3));
        if (code != 0)
        {
            throw new InvalidOperationException($"Instrumenting the fuzz build failed (exit {code}):\n{Shell.Tail(output)}");
        }
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(WorkDir, recursive: true);
        return Task.CompletedTask;
    }
}
