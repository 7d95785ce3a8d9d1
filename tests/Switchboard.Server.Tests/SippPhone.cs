using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Switchboard.Server.Tests;

/// <summary>
/// A phone made of two SIPp runs on one UDP port: <c>register.xml</c> binds the extension's contact to the port, then
/// <c>uas-answer.xml</c> answers every INVITE there at once and waits for the BYE (both from bench/sipp).
/// </summary>
internal sealed class SippPhone : IDisposable
{
    private readonly Process _answering;

    private SippPhone(Process answering) => _answering = answering;

    /// <summary>Registers <paramref name="number"/>@<paramref name="domain"/> and starts answering its calls.</summary>
    public static async Task<SippPhone> StartAsync(int sipPort, string domain, string number, string password, string workDirectory)
    {
        var port = Text(ServerProcess.FreePort(SocketType.Dgram, ProtocolType.Udp));
        var target = $"127.0.0.1:{Text(sipPort)}";
        using (var register = SippProcess.Start(workDirectory, target, "-sf", Scenario("register.xml"), "-key", "user", number, "-key", "domain", domain,
            "-key", "expires", "3600", "-au", number, "-ap", password, "-auth_uri", domain, "-m", "1", "-i", "127.0.0.1", "-p", port, "-nostdin", "-trace_err"))
        {
            var output = register.StandardOutput.ReadToEndAsync();
            var errors = register.StandardError.ReadToEndAsync();
            await register.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (register.ExitCode != 0)
            {
                throw new InvalidOperationException($"SIPp could not register {number}@{domain}: {await errors}{await output}");
            }
        }

        return Answer(port, workDirectory);
    }

    /// <summary>Answers whatever INVITE reaches <paramref name="port"/> without registering: a carrier's proxy behind a trunk.</summary>
    public static SippPhone Answer(string port, string workDirectory) =>
        new(SippProcess.Drain(SippProcess.Start(workDirectory, "-sf", Scenario("uas-answer.xml"), "-i", "127.0.0.1", "-p", port,
            "-mp", "0", "-nostdin", "-trace_err")));

    /// <summary>Stops answering: kills this SIPp by its PID.</summary>
    public void Dispose()
    {
        if (!_answering.HasExited)
        {
            _answering.Kill();
            _answering.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _answering.Dispose();
    }

    private static string Scenario(string name) => Path.Combine(AppContext.BaseDirectory, "Sipp", name);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
