using System.Runtime.InteropServices;
using Switchboard.MediaLoad.Runs;

namespace Switchboard.MediaLoad.Soak;

/// <summary>One soak invocation: a fresh data folder, provisioned like a load run, the soak, the report (also to --soak-report's file).</summary>
internal static class SoakRun
{
    public static async Task<int> RunAsync(MediaLoadOptions options, SoakOptions soak, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The run's own bound: the soak, the drain and a margin for start-up and the clean stop.
        deadline.CancelAfter(soak.Duration + SoakOptions.Drain + TimeSpan.FromMinutes(5));
        var data = Directory.CreateTempSubdirectory("switchboard-soak-");
        Console.WriteLine($"# Soak: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, load average {ProcessSample.LoadAverage()}, " +
            $"started {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC; modes {string.Join(",", options.Modes)}; {soak.Concurrent} concurrent calls; " +
            $"{soak.Duration.TotalMinutes:0.#} min; hold {soak.HoldMin.TotalSeconds:0}-{soak.HoldMax.TotalSeconds:0} s; sample every {soak.SampleEvery.TotalSeconds:0} s");
        try
        {
            await Scenarios.ProvisionAsync(options, data.FullName, deadline.Token);
            var report = await SoakScenario.RunAsync(options, soak, data.FullName, deadline.Token);
            var markdown = report.Markdown();
            Console.WriteLine();
            Console.WriteLine(markdown);
            if (soak.ReportPath is { } path)
            {
                await File.WriteAllTextAsync(path, markdown, deadline.Token);
                Console.WriteLine($"Report written to {path}");
            }

            return report.Passed ? 0 : 1;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Stopped: the soak passed its deadline.");
            return 3;
        }
        finally
        {
            MediaLoadRun.Finish(data, options.KeepData);
        }
    }
}
