using System.Diagnostics;

namespace Switchboard.Server.Tests;

/// <summary>Starts SIPp with its output redirected, or says plainly that the tests need it.</summary>
internal static class SippProcess
{
    public static Process Start(string workDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("sipp") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workDirectory };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            return Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("These tests need SIPp on PATH (apt-get install sip-tester).", ex);
        }
    }

    /// <summary>Reads and drops what a long-running SIPp prints (its screen), so it never blocks on a full pipe.</summary>
    public static Process Drain(Process sipp)
    {
        sipp.OutputDataReceived += (_, _) => { };
        sipp.ErrorDataReceived += (_, _) => { };
        sipp.BeginOutputReadLine();
        sipp.BeginErrorReadLine();
        return sipp;
    }
}
