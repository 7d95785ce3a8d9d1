using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Dialogs;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Tests.Sip;

/// <summary>
/// A scripted SIP phone on the in-memory network, made of the SIP core's blocks (builder, dialogs, digest), with a
/// real UDP socket on loopback for its RTP. Each step waits for what it expects, with a deadline; no retransmissions
/// on the in-memory network, which is lossless. A phone on real UDP (<see cref="OnUdpAsync"/>) retransmits a request
/// until its first response, as RFC 3261 section 17.1.2.2 (Timer E) has it: a flooded socket does lose datagrams.
/// </summary>
internal sealed class TestPhone : ISipReceiver, IDisposable, IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private readonly Channel<SipMessage> _inbox = Channel.CreateUnbounded<SipMessage>();
    private readonly ISipTransport _endpoint;
    private readonly string _user;
    private readonly string _domain;
    private readonly string _password;
    private SipFlow _toPbx;
    private uint _cseq;

    public TestPhone(InMemorySipNetwork network, IPEndPoint address, IPEndPoint pbx, string user, string domain, string password,
        SipTransportKind transport = SipTransportKind.Udp, Switchboard.Media.Shards.InMemoryMediaNetwork? media = null)
        : this(network.AddEndpoint(user, address), user, domain, password)
    {
        ((InMemorySipEndpoint)_endpoint).Attach(this);

        // Over WS the phone looks like a browser softphone to the PBX, which then offers it WebRTC media.
        _toPbx = new SipFlow(transport, address, pbx);
        MemoryRtp = media?.Bind(new IPEndPoint(IPAddress.Loopback, 30000 + address.Address.GetAddressBytes()[3]));
    }

    private TestPhone(ISipTransport endpoint, string user, string domain, string password)
    {
        _endpoint = endpoint;
        _user = user;
        _domain = domain;
        _password = password;
        Rtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
    }

    /// <summary>A phone whose SIP is on a real UDP socket on 127.0.0.1, for a PBX listening on loopback (<see cref="PbxUnderTest.UdpAddress"/>).</summary>
    public static async Task<TestPhone> OnUdpAsync(IPEndPoint pbx, string user, string domain, string password)
    {
        var hub = new SipTransportHub(new SipTransportOptions { UdpPort = 0 });
        var phone = new TestPhone(hub, user, domain, password);
        await hub.StartAsync(phone, CancellationToken.None);
        phone._toPbx = hub.CreateFlow(SipTransportKind.Udp, pbx)!.Value;
        return phone;
    }

    /// <summary>Where the phone receives (and sends) RTP on real loopback UDP.</summary>
    public UdpClient Rtp { get; }

    /// <summary>Where the phone receives (and sends) RTP when the PBX's media runs on the in-memory network.</summary>
    public Switchboard.Media.Shards.InMemoryMediaSocket? MemoryRtp { get; }

    public int RtpPort => MemoryRtp?.LocalEndPoint.Port ?? ((IPEndPoint)Rtp.Client.LocalEndPoint!).Port;

    /// <summary>Sends one RTP packet on whichever network the phone's media is on.</summary>
    public void SendRtp(byte[] packet, IPEndPoint to)
    {
        if (MemoryRtp is { } memory)
        {
            memory.Send(packet, to.Serialize());
        }
        else
        {
            Rtp.Send(packet, to);
        }
    }

    /// <summary>The next RTP packet the phone receives, on whichever network its media is on.</summary>
    public async Task<byte[]> ReceiveRtpAsync(CancellationToken cancellationToken)
    {
        if (MemoryRtp is not { } memory)
        {
            return (await Rtp.ReceiveAsync(cancellationToken)).Buffer;
        }

        var buffer = new byte[1500];
        var from = new System.Net.SocketAddress(System.Net.Sockets.AddressFamily.InterNetwork);
        while (true)
        {
            var length = memory.TryReceive(buffer, from);
            if (length >= 0)
            {
                return buffer.AsSpan(0, length).ToArray();
            }

            await memory.WaitAsync(cancellationToken);
        }
    }

    public SipDialog? Dialog { get; private set; }

    /// <summary>The SDP the other side sent in the dialog's offer or answer.</summary>
    public string? RemoteSdp { get; private set; }

    public void OnReceived(in SipFlow flow, ReadOnlySpan<byte> message)
    {
        var parsed = SipParser.Parse(message.ToArray().AsMemory());
        if (parsed.IsSuccess)
        {
            _inbox.Writer.TryWrite(parsed.Message!);
        }
    }

    public void OnFlowClosed(in SipFlow flow)
    {
    }

    public async Task<SipResponse> RegisterAsync()
    {
        var request = NewRequest(SipMethod.Register, $"sip:{_domain}", SipIds.NewCallId("phone"), $"<sip:{_user}@{_domain}>")
            .AddHeader(SipHeaderId.Contact, $"<sip:{_user}@{_toPbx.Local}>")
            .AddHeader(SipHeaderId.Expires, "300");
        return await SendWithDigestAsync(request);
    }

    /// <summary>Calls <paramref name="number"/> with an offer for PCMU and telephone-event; on 2xx the dialog starts and is ACKed.</summary>
    public async Task<SipResponse> CallAsync(string number, bool offerTelephoneEvent = true)
    {
        var request = NewRequest(SipMethod.Invite, $"sip:{number}@{_domain}", SipIds.NewCallId("phone"), $"<sip:{number}@{_domain}>")
            .AddHeader(SipHeaderId.Contact, $"<sip:{_user}@{_toPbx.Local}>")
            .SetBody(Encoding.UTF8.GetBytes(Sdp(offerTelephoneEvent)), "application/sdp");
        var (invite, response) = await SendWithDigestAsync2(request);
        while (response.IsProvisional)
        {
            response = await NextResponseAsync(invite);
        }

        if (response.IsSuccess && SipDialog.TryCreateAsUac(invite, response, out var dialog))
        {
            Dialog = dialog;
            RemoteSdp = Encoding.UTF8.GetString(response.Body.Span);
            Send(dialog.CreateAck(response, Via()).BuildRequest());
        }

        return response;
    }

    public async Task<SipRequest> WaitForRequestAsync(string method)
    {
        var waiting = _pending.FirstOrDefault(r => r.Method.Name == method);
        if (waiting is not null)
        {
            _pending.Remove(waiting);
            return waiting;
        }

        using var cts = new CancellationTokenSource(Deadline);
        while (true)
        {
            var message = await _inbox.Reader.ReadAsync(cts.Token);
            if (message is SipRequest request && request.Method.Name == method)
            {
                return request;
            }
        }
    }

    /// <summary>Whether a <paramref name="method"/> request has arrived by now (kept for <see cref="WaitForRequestAsync"/>); never waits.</summary>
    public bool HasReceived(string method)
    {
        while (_inbox.Reader.TryRead(out var message))
        {
            if (message is SipRequest request)
            {
                _pending.Add(request);
            }
        }

        return _pending.Exists(r => r.Method.Name == method);
    }

    /// <summary>Answers an INVITE: 180, then 200 with our SDP (or a failure status), and waits for the ACK of a 200.</summary>
    public async Task AnswerAsync(SipRequest invite, int status = 200, bool offerTelephoneEvent = true)
    {
        var tag = SipIds.NewTag();
        Send(SipMessageFactory.CreateResponse(invite, 180, null, tag).BuildResponse());
        if (status != 200)
        {
            Send(SipMessageFactory.CreateResponse(invite, status, null, tag).BuildResponse());
            await WaitForRequestAsync("ACK");
            return;
        }

        RemoteSdp = Encoding.UTF8.GetString(invite.Body.Span);
        var ok = SipMessageFactory.CreateResponse(invite, 200, null, tag)
            .AddHeader(SipHeaderId.Contact, $"<sip:{_user}@{_toPbx.Local}>")
            .SetBody(Encoding.UTF8.GetBytes(Sdp(offerTelephoneEvent)), "application/sdp")
            .BuildResponse();
        Dialog = SipDialog.CreateAsUas(invite, ok);
        Send(ok);
        await WaitForRequestAsync("ACK");
    }

    /// <summary>Sends a response made by the test (a carrier's digest challenge, say).</summary>
    public void Respond(SipResponse response) => Send(response);

    public void Reply(SipRequest request, int status) => Send(SipMessageFactory.CreateResponse(request, status, null, Dialog?.Id.LocalTag ?? SipIds.NewTag()).BuildResponse());

    /// <summary>Sends an in-dialog request (BYE, INFO, re-INVITE, REFER with its headers) and returns its final response.</summary>
    public async Task<SipResponse> SendInDialogAsync(SipMethod method, string? body = null, string? contentType = null, params (string Name, string Value)[] headers)
    {
        var builder = Dialog!.CreateRequest(method, Via());
        foreach (var (name, value) in headers)
        {
            builder.AddHeader(name, value);
        }

        if (body is not null)
        {
            builder.SetBody(Encoding.UTF8.GetBytes(body), contentType!);
        }

        var request = builder.BuildRequest();
        Send(request);
        var response = await NextResponseAsync(request, retransmit: true);
        while (response.IsProvisional)
        {
            response = await NextResponseAsync(request);
        }

        if (method == SipMethod.Invite && response.IsSuccess)
        {
            Send(Dialog.CreateAck(response, Via()).BuildRequest());
        }

        return response;
    }

    /// <summary>The RTP address the other side's SDP gave.</summary>
    public IPEndPoint RemoteRtp()
    {
        var lines = RemoteSdp!.Split("\r\n");
        var address = lines.First(l => l.StartsWith("c=", StringComparison.Ordinal)).Split(' ')[2];
        var port = lines.First(l => l.StartsWith("m=audio", StringComparison.Ordinal)).Split(' ')[1];
        return new IPEndPoint(IPAddress.Parse(address), int.Parse(port, CultureInfo.InvariantCulture));
    }

    public void Dispose()
    {
        Rtp.Dispose();
        MemoryRtp?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_endpoint is IAsyncDisposable hub)
        {
            await hub.DisposeAsync();
        }

        Dispose();
    }

    /// <summary>An SDP offer for a re-INVITE, in the given direction (RFC 3264 section 8.4 hold: sendonly).</summary>
    public string Offer(string direction) => Sdp(telephoneEvent: true, direction, version: ++_sdpVersion);

    /// <summary>Sends a request outside any dialog and returns its final response.</summary>
    public async Task<SipResponse> SendOutOfDialogAsync(SipMethod method, string uri)
    {
        var request = NewRequest(method, uri, SipIds.NewCallId("phone"), $"<{uri}>").BuildRequest();
        Send(request);
        return await NextFinalOrRingingAsync(request);
    }

    /// <summary>Sends raw text and returns the next response, whatever it answers.</summary>
    public async Task<SipResponse> SendRawAsync(string text)
    {
        SendRawNoReply(text);
        using var cts = new CancellationTokenSource(Deadline);
        while (true)
        {
            if (await _inbox.Reader.ReadAsync(cts.Token) is SipResponse response)
            {
                return response;
            }
        }
    }

    public void SendRawNoReply(string text) => _endpoint.TrySend(_toPbx, Encoding.UTF8.GetBytes(text));

    /// <summary>An SDP offer for a re-INVITE that moves the phone's media to <paramref name="rtpPort"/> (a network change).</summary>
    public string OfferAt(int rtpPort) => Sdp(telephoneEvent: true, version: ++_sdpVersion, rtpPort: rtpPort);

    private ulong _sdpVersion = 1;

    private string Sdp(bool telephoneEvent, string direction = "sendrecv", ulong version = 1, int? rtpPort = null) =>
        $"v=0\r\no=- 1 {version.ToString(CultureInfo.InvariantCulture)} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
        $"m=audio {(rtpPort ?? RtpPort).ToString(CultureInfo.InvariantCulture)} RTP/AVP 0{(telephoneEvent ? " 101" : "")}\r\na=rtpmap:0 PCMU/8000\r\n" +
        (telephoneEvent ? "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n" : "") + $"a={direction}\r\n";

    private SipMessageBuilder NewRequest(SipMethod method, string uri, string callId, string to) =>
        SipMessageBuilder.Request(method, uri)
            .AddHeader(SipHeaderId.Via, Via())
            .AddHeader(SipHeaderId.MaxForwards, "70")
            .AddHeader(SipHeaderId.From, $"<sip:{_user}@{_domain}>;tag={SipIds.NewTag()}")
            .AddHeader(SipHeaderId.To, to)
            .AddHeader(SipHeaderId.CallId, callId)
            .AddHeader(SipHeaderId.CSeq, $"{++_cseq} {method.Name}");

    private string Via() => SipVia.Format(_toPbx.Transport == SipTransportKind.Ws ? "WS" : "UDP", _toPbx.Local.ToString(), SipIds.NewBranch(), rport: true);

    private async Task<SipResponse> SendWithDigestAsync(SipMessageBuilder request) => (await SendWithDigestAsync2(request)).Response;

    /// <summary>Sends; answers a 401 once with digest (RFC 8760: the first challenge, SHA-256) on a new branch and CSeq.</summary>
    private async Task<(SipRequest Request, SipResponse Response)> SendWithDigestAsync2(SipMessageBuilder builder)
    {
        var request = builder.BuildRequest();
        Send(request);
        var response = await NextFinalOrRingingAsync(request);
        if (response.StatusCode != 401)
        {
            return (request, response);
        }

        var challenge = response.GetDigestChallenges(proxy: false)[0];
        var credentials = DigestClient.Answer(challenge, _user, _password, request.Method.Name, request.RequestUri.ToString(), SipIds.NewTag(), 1);
        var retry = request.ToBuilder()
            .SetHeader(SipHeaderId.Via, Via())
            .SetHeader(SipHeaderId.CSeq, $"{++_cseq} {request.Method.Name}")
            .AddHeader("Authorization", credentials.ToHeaderValue())
            .BuildRequest();
        Send(retry);
        return (retry, await NextFinalOrRingingAsync(retry));
    }

    private async Task<SipResponse> NextFinalOrRingingAsync(SipRequest request)
    {
        var response = await NextResponseAsync(request, retransmit: true);
        while (response.StatusCode == 100)
        {
            response = await NextResponseAsync(request);
        }

        return response;
    }

    private async Task<SipResponse> NextResponseAsync(SipRequest request, bool retransmit = false)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var interval = retransmit && _endpoint is SipTransportHub ? TimeSpan.FromMilliseconds(500) : Timeout.InfiniteTimeSpan;
        while (true)
        {
            SipMessage message;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cts.Token))
            {
                wait.CancelAfter(interval);
                try
                {
                    message = await _inbox.Reader.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cts.IsCancellationRequested)
                {
                    // Timer E: T1, doubling up to T2 (RFC 3261 section 17.1.2.2).
                    Send(request);
                    interval = interval * 2 < TimeSpan.FromSeconds(4) ? interval * 2 : TimeSpan.FromSeconds(4);
                    continue;
                }
            }

            if (message is SipResponse response && response.CSeq.Number == request.CSeq.Number && response.CallId == request.CallId)
            {
                return response;
            }

            if (message is SipRequest other)
            {
                // Requests that arrive while we wait for a response are kept for WaitForRequestAsync.
                _pending.Add(other);
            }
        }
    }

    private readonly List<SipRequest> _pending = [];

    private void Send(SipMessage message) => _endpoint.TrySend(_toPbx, message.Raw.Span);
}
