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

    private const string NoInstrumentation = "No instrumentation detected";

    public static TheoryData<string> Targets => new(FuzzTargets.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Target_survives_a_short_afl_run(string name)
    {
        var findings = Path.Combine(build.WorkDir, "findings-" + name);
        var (code, output) = await RunAflAsync(name, findings);
        if (code != 0 && output.Contains(NoInstrumentation, StringComparison.Ordinal))
        {
            // AFL's dry run once saw an all-zero coverage map for a target whose every input runs instrumented
            // code (srtp, in CI, with 19 runnable tasks on 2 cores), and has not since: start afl-fuzz afresh once.
            // A second refusal fails the test with AFL's own message.
            findings += "-again";
            (code, output) = await RunAflAsync(name, findings);
        }

        var statsPath = Path.Combine(findings, "default", "fuzzer_stats");
        Assert.True(code == 0 && File.Exists(statsPath), $"afl-fuzz on {name} did not run (exit {code}):\n{Shell.Tail(output)}");

        var stats = FuzzerStats.Read(statsPath);
        Assert.True(stats.ExecsDone > 0, $"{name}: afl-fuzz executed nothing:\n{Shell.Tail(output)}");
        Assert.True(stats.SavedCrashes == 0, $"{name}: {stats.SavedCrashes} crashes in {Path.Combine(findings, "default", "crashes")}");
        Assert.True(stats.SavedHangs == 0, $"{name}: {stats.SavedHangs} hangs in {Path.Combine(findings, "default", "hangs")}");
    }

    private Task<(int Code, string Output)> RunAflAsync(string name, string findings) =>
        Shell.RunAsync(
            "bash", [RepoPaths.Script("afl-run.sh"), build.Directory, name, Seconds.ToString(CultureInfo.InvariantCulture), findings],
            TimeSpan.FromSeconds(Seconds + 90));
}
