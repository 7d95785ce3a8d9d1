using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Switchboard.MediaLoad.Pump;
using Switchboard.MediaLoad.Sip;

namespace Switchboard.MediaLoad.RtpEngine;

/// <summary>
/// The same two plain-RTP phones per call as the PBX's <c>rtp</c> mode, bridged by rtpengine instead: an ng
/// <c>offer</c> with A's SDP (the returned SDP is what B sends to), an <c>answer</c> with B's (the returned SDP is what
/// A sends to), and <c>delete</c> at hang-up, as a SIP proxy would drive it.
/// </summary>
internal sealed class RtpEngineCaller(NgClient control, PumpSet pumps)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, (PlainRtpEndpoint A, PlainRtpEndpoint B)> _calls = new(StringComparer.Ordinal);

    /// <summary>Sets up call <paramref name="index"/>; its Call-ID (for <see cref="HangUpAsync"/>) or the reason it failed.</summary>
    public async Task<(string? CallId, string? Failure)> CallAsync(int index, CancellationToken ct)
    {
        var callId = string.Create(CultureInfo.InvariantCulture, $"mload-{index}-{Environment.ProcessId}");
        var a = pumps.Add(new PlainRtpEndpoint(sendDirection: 0));
        var b = pumps.Add(new PlainRtpEndpoint(sendDirection: 1));
        _calls[callId] = (a, b);
        var offer = await control.RequestAsync(Command("offer", callId, a.Local.Port, toTag: false), StepTimeout, ct);
        if (!TryReadSdp(offer, out var towardsB, out var failure))
        {
            return (null, "offer: " + failure);
        }

        var answer = await control.RequestAsync(Command("answer", callId, b.Local.Port, toTag: true), StepTimeout, ct);
        if (!TryReadSdp(answer, out var towardsA, out failure))
        {
            return (null, "answer: " + failure);
        }

        b.ConnectTo(towardsB);
        a.ConnectTo(towardsA);
        a.Sending = true;
        b.Sending = true;
        return (callId, null);
    }

    public async Task<bool> HangUpAsync(string callId, CancellationToken ct)
    {
        if (_calls.TryRemove(callId, out var streams))
        {
            streams.A.Stop();
            streams.B.Stop();
        }

        var reply = await control.RequestAsync(new() { ["command"] = "delete", ["call-id"] = callId, ["from-tag"] = "a-" + callId }, StepTimeout, ct);
        return reply is not null && reply.TryGetValue("result", out var result) && result is "ok";
    }

    private static Dictionary<string, object> Command(string name, string callId, int port, bool toTag)
    {
        var command = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["command"] = name,
            ["call-id"] = callId,
            ["from-tag"] = "a-" + callId,
            ["sdp"] = Encoding.ASCII.GetString(PlainSdp.Pcmu(port)),
        };
        if (toTag)
        {
            command["to-tag"] = "b-" + callId;
        }

        return command;
    }

    private static bool TryReadSdp(Dictionary<string, object>? reply, out System.Net.IPEndPoint endpoint, out string failure)
    {
        endpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Any, 0);
        if (reply is null)
        {
            failure = "no reply";
            return false;
        }

        if (!reply.TryGetValue("result", out var result) || result is not "ok" || !reply.TryGetValue("sdp", out var sdp) || sdp is not string text)
        {
            failure = reply.TryGetValue("error-reason", out var reason) ? reason.ToString() ?? "error" : "result " + (result ?? "missing");
            return false;
        }

        if (!PlainSdp.TryReadAudio(text, out endpoint))
        {
            failure = "SDP without an audio line";
            return false;
        }

        failure = "";
        return true;
    }
}
