using System.Diagnostics;
using System.Text;

namespace Switchboard.Fuzz.Tests;

/// <summary>Runs a command with a bound, collecting its output; the process tree is killed by PID at the bound.</summary>
internal static class Shell
{
    public static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, TimeSpan bound)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var output = new StringBuilder();
        var readOut = PumpAsync(process.StandardOutput, output);
        var readErr = PumpAsync(process.StandardError, output);
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            output.Append(FormattableString.Invariant($"\n[killed after {bound.TotalSeconds} s]"));
        }

        await Task.WhenAll(readOut, readErr);
        return (process.ExitCode, output.ToString());
    }

    /// <summary>The last lines of a long output, for a failure message.</summary>
    public static string Tail(string output, int chars = 3000) => output.Length <= chars ? output : output[^chars..];

    private static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (into)
            {
                into.AppendLine(line);
            }
        }
    }
}
