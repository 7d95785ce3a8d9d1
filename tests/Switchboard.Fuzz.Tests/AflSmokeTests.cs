using System.Diagnostics;
using System.Globalization;

namespace Switchboard.Fuzz.Tests;

/// <summary>
/// Each target briefly under real afl-fuzz with SharpFuzz instrumentation: AFL must have executed
/// inputs and saved no crash and no hang. Where AFL or the SharpFuzz tool cannot run, the test fails
/// and says why; it never passes without fuzzing.
/// </summary>
public class AflSmokeTests(InstrumentedBuild build) : IClassFixture<InstrumentedBuild>
{
    /// <summary>Seconds per target: 10 targets stay well under 3 minutes including start-up.</summary>
    private const int Seconds = 10;

    public static TheoryData<string> Targets => new(FuzzTargets.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Target_survives_a_short_afl_run(string name)
    {
        var findings = Path.Combine(build.WorkDir, "findings-" + name);
        var (code, output) = await Shell.RunAsync(
            "bash", [RepoPaths.Script("afl-run.sh"), build.Directory, name, Seconds.ToString(CultureInfo.InvariantCulture), findings],
            TimeSpan.FromSeconds(Seconds + 90));
        var statsPath = Path.Combine(findings, "default", "fuzzer_stats");
        Assert.True(code == 0 && File.Exists(statsPath), $"afl-fuzz on {name} did not run (exit {code}):\n{Shell.Tail(output)}");

        var stats = FuzzerStats.Read(statsPath);
        Assert.True(stats.ExecsDone > 0, $"{name}: afl-fuzz executed nothing:\n{Shell.Tail(output)}");
        Assert.True(stats.SavedCrashes == 0, $"{name}: {stats.SavedCrashes} crashes in {Path.Combine(findings, "default", "crashes")}");
        Assert.True(stats.SavedHangs == 0, $"{name}: {stats.SavedHangs} hangs in {Path.Combine(findings, "default", "hangs")}");
    }
}
