using System.Globalization;
using System.Net;
using Switchboard.MediaLoad.Pump;
using Switchboard.MediaLoad.RtpEngine;
using Switchboard.MediaLoad.Sip;
using Switchboard.MediaLoad.Soak;
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
    public const string SipPassword = "MediaLoad-Sip-Password-1";
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
        var callees = Callees(options).ToList();
        await using var rig = await PbxRig.StartAsync(options, data, callees, ct);
        var place = await PlacerAsync(mode, rig, callees, ct);
        var result = await LoadRunner.RunAsync("PBX", mode, rig.Pbx.Pid, rig.Pumps, place, calls, options.RampPerSecond, options.Hold, ct, GcHeap(rig.Pbx));
        Console.WriteLine($"  phones answered {rig.Farm.Answered} INVITEs, got {rig.Farm.Byes} BYEs");
        return result;
    }

    /// <summary>The PBX's GC heap at its last collection, from its /metrics (loopback only); null if unreadable.</summary>
    private static HeapProbe GcHeap(PbxProcess pbx) => async ct =>
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var bytes = (await PbxMetrics.ReadAsync(http, pbx.Http, ct)).Get("switchboard_runtime_gc_heap_bytes");
            return double.IsNaN(bytes) ? null : bytes;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or FormatException)
        {
            return null;
        }
    };

    /// <summary>How calls of <paramref name="mode"/> are placed: a browser's WebRTC call over the web API, or phone A's SIP call.</summary>
    public static async Task<PlaceCall> PlacerAsync(string mode, PbxRig rig, IReadOnlyList<string> callees, CancellationToken ct)
    {
        if (mode == "webrtc")
        {
            await WaitForWebAsync(rig.Pbx.Http, ct);
            var caller = new WebRtcCaller(rig.Web, rig.Pumps, DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1)), $"{Caller}@{Domain}", WebPassword);
            return async (i, c) =>
            {
                var (call, failed) = await caller.CallAsync(i, callees[i % callees.Count], c);
                return call is null ? (null, failed) : (h => HangUpWebAsync(call, h), null);
            };
        }

        var phone = new SipCaller(rig.CallerPhone, rig.Pumps, Domain, Caller, SipPassword);
        return async (i, c) =>
        {
            var (call, failed) = await phone.CallAsync(callees[i % callees.Count], c);
            return call is null || failed is not null ? (null, failed) : (h => phone.HangUpAsync(call, h), null);
        };
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

    public static IEnumerable<string> Callees(MediaLoadOptions options) =>
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
