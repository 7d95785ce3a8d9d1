using System.Diagnostics;
using System.Globalization;

namespace Switchboard.Server.Tests;

/// <summary>
/// SIPp (on PATH) as the phone: <c>Sipp/echo-call.xml</c> places calls from 200@example.com to a service or number over
/// UDP, each INVITE, 401, INVITE with digest, 200, ACK, a talk time, BYE, 200.
/// </summary>
internal static class SippCaller
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Places <paramref name="calls"/> calls that talk for 100 ms, and waits until they have all ended.</summary>
    /// <returns>SIPp's exit code: 0 when every call succeeded.</returns>
    public static async Task<(int ExitCode, string Output)> CallAsync(int sipPort, string service, string password, int calls, string workDirectory)
    {
        using var sipp = Start(sipPort, service, password, calls, TimeSpan.FromMilliseconds(100), workDirectory);
        var output = sipp.StandardOutput.ReadToEndAsync();
        var errors = sipp.StandardError.ReadToEndAsync();
        try
        {
            await sipp.WaitForExitAsync().WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            sipp.Kill();
            throw;
        }

        return (sipp.ExitCode, await errors + await output);
    }

    /// <summary>
    /// Places calls that stay up for <paramref name="talk"/> and returns at once; the caller kills the process by its PID
    /// when it is done with them. Its output is drained and dropped, so a full pipe never stalls it.
    /// </summary>
    public static Process StartHeld(int sipPort, string service, string password, int calls, TimeSpan talk, string workDirectory) =>
        SippProcess.Drain(Start(sipPort, service, password, calls, talk, workDirectory));

    private static Process Start(int sipPort, string service, string password, int calls, TimeSpan talk, string workDirectory)
    {
        var target = $"127.0.0.1:{Text(sipPort)}";
        return SippProcess.Start(workDirectory, target, "-sf", Path.Combine(AppContext.BaseDirectory, "Sipp", "echo-call.xml"), "-s", service,
            "-au", "200", "-ap", password, "-auth_uri", $"{service}@{target}", "-m", Text(calls), "-r", "10", "-l", Text(calls),
            "-d", Text((int)talk.TotalMilliseconds), "-i", "127.0.0.1", "-p", "0", "-mp", "0", "-nostdin", "-trace_err");
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
