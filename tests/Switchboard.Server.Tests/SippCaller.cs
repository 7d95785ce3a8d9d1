using System.Diagnostics;
using System.Globalization;

namespace Switchboard.Server.Tests;

/// <summary>
/// SIPp (on PATH) as the phone: <c>Sipp/echo-call.xml</c> places calls from 200@example.com to a service over UDP,
/// each INVITE, 401, INVITE with digest, 200, ACK, BYE, 200, and exits once they have all ended.
/// </summary>
internal static class SippCaller
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <returns>SIPp's exit code: 0 when every call succeeded.</returns>
    public static async Task<(int ExitCode, string Output)> CallAsync(int sipPort, string service, string password, int calls, string workDirectory)
    {
        var target = $"127.0.0.1:{sipPort.ToString(CultureInfo.InvariantCulture)}";
        var start = new ProcessStartInfo("sipp") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workDirectory };
        foreach (var arg in (string[])[target, "-sf", Path.Combine(AppContext.BaseDirectory, "Sipp", "echo-call.xml"), "-s", service,
            "-au", "200", "-ap", password, "-auth_uri", $"{service}@{target}", "-m", Text(calls), "-r", "10", "-l", Text(calls),
            "-i", "127.0.0.1", "-p", "0", "-mp", "0", "-nostdin", "-trace_err"])
        {
            start.ArgumentList.Add(arg);
        }

        Process sipp;
        try
        {
            sipp = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("These tests need SIPp on PATH (apt-get install sip-tester).", ex);
        }

        using (sipp)
        {
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
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
