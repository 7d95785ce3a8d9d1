using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// A real SIP user agent for end-to-end tests: one <c>baresip</c> process (Debian's 1.0.0) with its own
/// config directory, bound to 127.0.0.1 only, driven over its <c>ctrl_tcp</c> JSON socket. It plays a
/// sine tone into every call and records both directions (<see cref="RecordingsAsync"/>).
/// </summary>
public sealed partial class BaresipAgent : IAsyncDisposable
{
    public const string Executable = "baresip";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

    private readonly Process process;
    private readonly ProcessLog log;

    private BaresipAgent(BaresipOptions options, string directory, int sipPort, Process process, ProcessLog log)
    {
        Options = options;
        Directory = directory;
        SipPort = sipPort;
        this.process = process;
        this.log = log;
    }

    public BaresipOptions Options { get; }

    /// <summary>The agent's config directory (deleted on dispose); recordings are under <c>rec/</c>.</summary>
    public string Directory { get; }

    public int SipPort { get; }

    public int ProcessId => process.Id;

    /// <summary>Where to reach this agent directly, without a proxy.</summary>
    public string Uri => $"sip:{Options.User}@127.0.0.1:{(Options.Transport == SipTransport.Tls ? SipPort + 1 : SipPort)};transport={Options.TransportName}";

    public BaresipControl Control { get; private set; } = null!;

    public string RecordingDirectory => Path.Combine(Directory, "rec");

    /// <summary>The last few KB of baresip's stdout and stderr, for failure messages.</summary>
    public string LogTail => log.Tail;

    /// <summary>Starts baresip and waits (bounded) until its registration holds; one that does not register is stopped.</summary>
    public static async Task<BaresipAgent> StartRegisteredAsync(BaresipOptions options, CancellationToken ct)
    {
        var agent = await StartAsync(options, ct);
        try
        {
            await agent.WaitRegisteredAsync();
            return agent;
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
    }

    public static async Task<BaresipAgent> StartAsync(BaresipOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var directory = Path.Combine(Path.GetTempPath(), "sb-baresip-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "rec"));
        var sipPort = FreePorts.Sip();
        var controlPort = FreePorts.Tcp();
        var tone = Path.Combine(directory, "tone.wav");
        WavFile.Sine(options.ToneHz, options.ToneLength).Write(tone);
        await File.WriteAllTextAsync(Path.Combine(directory, "config"), Config(directory, sipPort, controlPort, tone), ct);
        await File.WriteAllTextAsync(Path.Combine(directory, "accounts"), options.AccountLine() + "\n", ct);

        var log = new ProcessLog(Path.Combine(directory, "baresip.log"));
        var process = StartProcess(directory, log);
        var agent = new BaresipAgent(options, directory, sipPort, process, log);
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(ct);
        startup.CancelAfter(options.StartTimeout);
        var connecting = BaresipControl.ConnectAsync(controlPort, startup.Token);
        var exited = process.WaitForExitAsync(startup.Token); // a bad config ends baresip at once
        await Task.WhenAny(connecting, exited);
        if (connecting.IsCompletedSuccessfully)
        {
            agent.Control = await connecting;
            return agent;
        }

        await startup.CancelAsync();
        var tail = agent.LogTail;
        await agent.DisposeAsync();
        throw new InvalidOperationException($"baresip did not open its control socket on {controlPort} (exited: {process.HasExited}); log:\n{tail}");
    }

    /// <summary>Sends a command; throws when baresip answers <c>ok:false</c>.</summary>
    public async Task<JsonElement> CommandAsync(string command, string? parameters = null, CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CommandTimeout);
        var response = await Control.CommandAsync(command, parameters, timeout.Token);
        if (!response.TryGetProperty("ok", out var ok) || ok.ValueKind != JsonValueKind.True)
        {
            throw new InvalidOperationException($"baresip refused '{command} {parameters}': {response}; log:\n{LogTail}");
        }

        return response;
    }

    /// <summary>The text a command prints (its response's <c>data</c>).</summary>
    public async Task<string> CommandTextAsync(string command, string? parameters = null, CancellationToken ct = default)
    {
        var response = await CommandAsync(command, parameters, ct);
        return response.TryGetProperty("data", out var data) ? data.GetString() ?? "" : "";
    }

    public Task<BaresipEvent> WaitForEventAsync(Func<BaresipEvent, bool> match, TimeSpan timeout) =>
        WithLogOnFailure(Control.WaitForEventAsync(match, timeout));

    public Task<BaresipEvent> WaitForEventAsync(string type, TimeSpan timeout) =>
        WaitForEventAsync(e => e.Type == type, timeout);

    /// <summary>
    /// Waits for REGISTER_OK (a REGISTER_FAIL throws with its status). A registrar that answers at once can beat
    /// the control connection, and ctrl_tcp does not replay events: so <c>reginfo</c> is polled as well.
    /// </summary>
    public async Task WaitRegisteredAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Options.StartTimeout);
        while (true)
        {
            try
            {
                var outcome = await Control.WaitForEventAsync(
                    e => e.Type is BaresipEvent.RegisterOk or BaresipEvent.RegisterFail, TimeSpan.FromMilliseconds(250));
                if (outcome.Type == BaresipEvent.RegisterFail)
                {
                    throw new InvalidOperationException($"{Options.User} failed to register: {outcome.Param}; log:\n{LogTail}");
                }

                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
                // reginfo lists each account with a coloured "OK" once registered ("ERR" or nothing before).
                var info = System.Text.RegularExpressions.Regex.Replace(await CommandTextAsync("reginfo"), @"\u001B\[[0-9;]*m", "");
                if (System.Text.RegularExpressions.Regex.IsMatch(info, @"\sOK\s"))
                {
                    return;
                }
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"{Options.User} did not register; log:\n{LogTail}", ex);
            }
        }
    }

    /// <summary>Starts a call (INVITE); follow it with the CALL_* events.</summary>
    public Task DialAsync(string uri, CancellationToken ct = default) => CommandAsync("dial", uri, ct);

    /// <summary>Answers the ringing incoming call (answer mode manual).</summary>
    public Task AcceptAsync(CancellationToken ct = default) => CommandAsync("accept", null, ct);

    /// <summary>
    /// Ends the current call: BYE when established, CANCEL when dialling, and on a ringing incoming call
    /// (answer mode manual) the final response <b>486 Rejected</b>; baresip 1.0.0 ignores any status
    /// given as a parameter.
    /// </summary>
    public Task HangupAsync(CancellationToken ct = default) => CommandAsync("hangup", null, ct);

    /// <summary>
    /// Sends RFC 4733 telephone-events, one <c>sndcode</c> command per key (it takes a single key);
    /// the pause lets each event end before the next starts.
    /// </summary>
    public async Task SendDtmfAsync(string digits, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(digits);
        foreach (var digit in digits)
        {
            await CommandAsync("sndcode", digit.ToString(), ct);
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Control is not null)
        {
            try
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await Control.CommandAsync("quit", null, quick.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // already gone, or quitting closed the socket before it answered
            }

            await Control.DisposeAsync();
        }

        try
        {
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await process.WaitForExitAsync(exit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            using var killed = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await process.WaitForExitAsync(killed.Token);
        }

        process.Dispose();
        log.Dispose();
        BrowserFixture.TryDelete(Directory);
    }

    private async Task<T> WithLogOnFailure<T>(Task<T> task)
    {
        try
        {
            return await task;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{Options.User}: {e.Message}\nbaresip log:\n{LogTail}", e);
        }
    }

    private static Process StartProcess(string directory, ProcessLog log)
    {
        var start = new ProcessStartInfo(Executable)
        {
            ArgumentList = { "-f", directory },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => log.Append(line.Data);
        process.ErrorDataReceived += (_, line) => log.Append(line.Data);
        if (!process.Start()) throw new InvalidOperationException("baresip did not start");
        process.StandardInput.Close(); // as </dev/null: no console input
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// The config that worked on this machine (docs/testing.md): loopback only, a WAV as microphone, the
    /// ALSA "null" device as speaker and ringer (the <c>aufile</c> module of 1.0.0 has no player), every
    /// call recorded by <c>sndfile</c>.
    /// </summary>
    private static string Config(string directory, int sipPort, int controlPort, string tone) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            sip_listen 127.0.0.1:{sipPort}
            net_interface 127.0.0.1
            audio_player alsa,null
            audio_alert alsa,null
            audio_source aufile,{tone}
            module_path /usr/lib/baresip/modules
            module g711.so
            module aufile.so
            module alsa.so
            module sndfile.so
            snd_path {Path.Combine(directory, "rec")}
            module_app account.so
            module_app menu.so
            module_app ctrl_tcp.so
            ctrl_tcp_listen 127.0.0.1:{controlPort}

            """);
}
