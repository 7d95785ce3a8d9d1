using System.Diagnostics;
using System.Globalization;

namespace Switchboard.SipLoad;

/// <summary>
/// What the load tools do with a process they started (the PBX, rtpengine): keep its console output in a log file,
/// and stop it by its PID with a signal, then a kill if it does not end in time. Never by name.
/// </summary>
internal static class ChildProcess
{
    /// <summary>Starts copying the process's stdout and stderr lines into <paramref name="logPath"/>; the writer.</summary>
    public static StreamWriter CaptureOutput(Process process, string logPath)
    {
        var log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return log;
    }

    /// <summary>Sends <paramref name="signal"/> (e.g. "-INT", "-TERM") to the PID, kills it after <paramref name="timeout"/>, then closes the log.</summary>
    public static async Task StopAsync(Process process, StreamWriter log, string signal, TimeSpan timeout)
    {
        if (!process.HasExited)
        {
            using (var kill = Process.Start("kill", [signal, process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var limit = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
            }
        }

        process.Dispose();
        lock (log)
        {
            log.Dispose();
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        // Output and error lines arrive on two threads; the writer is not thread-safe.
        lock (log)
        {
            if (log.BaseStream.CanWrite)
            {
                log.WriteLine(line);
            }
        }
    }
}
