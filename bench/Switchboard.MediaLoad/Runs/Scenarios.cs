using System.Globalization;
using System.Net;
using Switchboard.MediaLoad.Pump;
using Switchboard.MediaLoad.RtpEngine;
using Switchboard.MediaLoad.Sip;
using Switchboard.MediaLoad.WebRtc;
using Switchboard.Media.Dtls;
using Switchboard.SipLoad;

namespace Switchboard.MediaLoad.Runs;

/// <summary>
/// The three relays under test, each a fresh process per run: the PBX with browsers (<c>webrtc</c>), the PBX with
/// phone-to-phone calls (<c>rtp</c>), and rtpengine bridging the same phones (<c>rtpengine</c>). The PBX is reached
/// only through its public interfaces: the CLI verbs, SIP over UDP, the web API and the call WebSocket.
/// </summary>
internal static class Scenarios
{
    public const string Domain = "mediaload.test";
    public const string Caller = "2000";
    private const string SipPassword = "MediaLoad-Sip-Password-1";
    private const string WebPassword = "MediaLoad-Web-Password-1";
    private const int FirstCallee = 1000;
    private static readonly TimeSpan HttpReadyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates the domain, the caller (web and SIP passwords) and the callees in a fresh data folder.</summary>
    public static async Task ProvisionAsync(MediaLoadOptions options, string data, CancellationToken ct)
    {
        await PbxProcess.RunCliAsync(options.ServerDll, data, ["domain", "add", Domain], ct);
        foreach (var number in Callees(options).Prepend(Caller))
        {
            await PbxProcess.RunCliAsync(options.ServerDll, data, ["extension", "add", $"{number}@{Domain}", "--web-password", WebPassword, "--sip-password", SipPassword], ct);
        }
    }

    public static async Task<RunResult> PbxAsync(MediaLoadOptions options, string data, string mode, int calls, CancellationToken ct)
    {
        await using var pbx = await PbxProcess.StartAsync(options.ServerDll, data, Domain, options.MediaPorts, ct);
        Console.WriteLine($"PBX pid {pbx.Pid}, SIP {pbx.Sip}, HTTP {pbx.Http}, log {pbx.LogPath}");
        using var pumps = new PumpSet(options.PumpThreads, new LoadPhase());
        using var calleePhone = new SipPhone(pbx.Sip);
        using var callerPhone = new SipPhone(pbx.Sip);
        using var web = new WebApi(pbx.Http);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var loops = Task.WhenAll(Task.Run(() => calleePhone.ReceiveLoopAsync(stop.Token), stop.Token), Task.Run(() => callerPhone.ReceiveLoopAsync(stop.Token), stop.Token));
        try
        {
            var callees = Callees(options).ToList();
            var farm = new PhoneFarm(calleePhone, pumps, Domain, SipPassword);
            if (await farm.RegisterAsync(callees, ct) is { } failure)
            {
                throw new InvalidOperationException(failure);
            }

            PlaceCall place;
            if (mode == "webrtc")
            {
                await WaitForWebAsync(pbx.Http, ct);
                var caller = new WebRtcCaller(web, pumps, DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1)), $"{Caller}@{Domain}", WebPassword);
                place = async (i, c) =>
                {
                    var (call, failed) = await caller.CallAsync(i, callees[i % callees.Count], c);
                    return call is null ? (null, failed) : (h => HangUpWebAsync(call, h), null);
                };
            }
            else
            {
                var caller = new SipCaller(callerPhone, pumps, Domain, Caller, SipPassword);
                place = async (i, c) =>
                {
                    var (call, failed) = await caller.CallAsync(callees[i % callees.Count], c);
                    return call is null || failed is not null ? (null, failed) : (h => caller.HangUpAsync(call, h), null);
                };
            }

            var result = await LoadRunner.RunAsync("PBX", mode, pbx.Pid, pumps, place, calls, options.RampPerSecond, options.Hold, ct);
            Console.WriteLine($"  phones answered {farm.Answered} INVITEs, got {farm.Byes} BYEs");
            return result;
        }
        finally
        {
            await stop.CancelAsync();
            await loops;
        }
    }

    public static async Task<RunResult> RtpEngineAsync(MediaLoadOptions options, string data, int calls, CancellationToken ct)
    {
        var log = Path.Combine(data, string.Create(CultureInfo.InvariantCulture, $"rtpengine-{calls}.log"));
        await using var engine = await RtpEngineProcess.StartAsync(options.RtpEngineBinary, options.RtpEnginePorts, log, ct);
        Console.WriteLine($"rtpengine pid {engine.Pid}, log {log}");
        using var pumps = new PumpSet(options.PumpThreads, new LoadPhase());
        var caller = new RtpEngineCaller(engine.Control, pumps);
        PlaceCall place = async (i, c) =>
        {
            var (callId, failed) = await caller.CallAsync(i, c);
            return callId is null ? (null, failed) : (h => caller.HangUpAsync(callId, h), null);
        };
        return await LoadRunner.RunAsync("rtpengine", "rtp", engine.Pid, pumps, place, calls, options.RampPerSecond, options.Hold, ct);
    }

    private static IEnumerable<string> Callees(MediaLoadOptions options) =>
        Enumerable.Range(FirstCallee, options.Callees).Select(n => n.ToString(CultureInfo.InvariantCulture));

    private static async Task<bool> HangUpWebAsync(BrowserCall call, CancellationToken ct)
    {
        call.Media.Stop();
        try
        {
            await call.Signalling.HangUpAsync(ct);
            var reason = await call.Signalling.Ended.WaitAsync(TimeSpan.FromSeconds(10), ct);
            return reason == "hangup";
        }
        finally
        {
            await call.Signalling.DisposeAsync();
        }
    }

    /// <summary>The web side starts after SIP answers; wait for its session endpoint (from 127.0.0.1, which no call uses).</summary>
    private static async Task WaitForWebAsync(IPEndPoint http, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://{http}/") };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(HttpReadyTimeout);
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("api/session?destnumber=1000", UriKind.Relative), limit.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200, limit.Token);
        }
    }
}
