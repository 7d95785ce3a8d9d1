using System.Runtime.InteropServices;

namespace Switchboard.MediaLoad.Runs;

/// <summary>One invocation: provision a fresh data folder once, then for each N every requested relay in turn.</summary>
internal static class MediaLoadRun
{
    public static async Task<int> RunAsync(MediaLoadOptions options, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.Deadline);
        var data = Directory.CreateTempSubdirectory("switchboard-mediaload-");
        Console.WriteLine($"# Media load: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, load average {ProcessSample.LoadAverage()}, " +
            $"started {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC; modes {string.Join(",", options.Modes)}; calls {string.Join(",", options.Calls)}; " +
            $"ramp {options.RampPerSecond}/s; hold {options.Hold.TotalSeconds} s; {options.PumpThreads} pump thread(s)");
        var runs = new List<RunResult>();
        try
        {
            if (options.Modes.Any(m => m != "rtpengine"))
            {
                await Scenarios.ProvisionAsync(options, data.FullName, deadline.Token);
            }

            foreach (var calls in options.Calls)
            {
                foreach (var mode in options.Modes)
                {
                    var run = mode == "rtpengine"
                        ? await Scenarios.RtpEngineAsync(options, data.FullName, calls, deadline.Token)
                        : await Scenarios.PbxAsync(options, data.FullName, mode, calls, deadline.Token);
                    runs.Add(run);
                    Console.WriteLine(Report.Markdown([run]));
                }
            }

            Console.WriteLine();
            Console.WriteLine(Report.Markdown(runs));
            if (options.JsonPath is { } json)
            {
                await File.WriteAllTextAsync(json, Report.ToJson(runs), deadline.Token);
                Console.WriteLine($"JSON written to {json}");
            }

            return runs.All(r => r.Failed == 0) ? 0 : 1;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"Stopped: the run passed its deadline of {options.Deadline.TotalSeconds} s.");
            return 3;
        }
        finally
        {
            Finish(data, options.KeepData);
        }
    }

    /// <summary>The run's data folder: kept with its logs when asked (--keep-data), else deleted.</summary>
    public static void Finish(DirectoryInfo data, bool keep)
    {
        if (keep)
        {
            Console.WriteLine($"Data and logs kept in {data.FullName}");
        }
        else
        {
            data.Delete(recursive: true);
        }
    }
}
