using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Switchboard.MediaLoad.Pump;
using Switchboard.Sip.Messages;
using Switchboard.SipLoad;

namespace Switchboard.MediaLoad.Sip;

/// <summary>
/// The called phones: extensions registered with digest over one UDP socket, answering every INVITE at once with 200
/// and a PCMU answer naming a fresh RTP endpoint of their own, which starts its 50 packets/s towards the PBX's offer.
/// A retransmitted INVITE gets the same 200 (RFC 3261 section 13.3.1.4); BYE, CANCEL and OPTIONS get 200.
/// </summary>
internal sealed class PhoneFarm
{
    private static readonly TimeSpan RegisterTimeout = TimeSpan.FromSeconds(5);
    private readonly SipPhone _phone;
    private readonly PumpSet _pumps;
    private readonly string _domain;
    private readonly string _password;
    private readonly ConcurrentDictionary<string, SipResponse> _answered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PlainRtpEndpoint> _media = new(StringComparer.Ordinal);
    private long _byes;
    private long _answeredTotal;
    private long _badOffers;

    public PhoneFarm(SipPhone phone, PumpSet pumps, string domain, string password)
    {
        _phone = phone;
        _pumps = pumps;
        _domain = domain;
        _password = password;
        phone.OnRequest = OnRequest;
    }

    /// <summary>INVITEs answered since start (a retransmission gets the same answer and is not counted again).</summary>
    public long Answered => Interlocked.Read(ref _answeredTotal);

    public long Byes => Interlocked.Read(ref _byes);

    public long BadOffers => Interlocked.Read(ref _badOffers);

    /// <summary>Registers every number in turn; the first failure, or null.</summary>
    public async Task<string?> RegisterAsync(IEnumerable<string> numbers, CancellationToken ct)
    {
        foreach (var number in numbers)
        {
            var register = LoadSip.NewRequest(SipMethod.Register, $"sip:{_domain}", $"<sip:{number}@{_domain}>", number, _domain, _phone.Local, SipIds.NewCallId("mload"), 1)
                .AddHeader(SipHeaderId.Contact, LoadSip.Contact(number, _phone.Local))
                .AddHeader(SipHeaderId.Expires, "3600")
                .BuildRequest();
            var response = await _phone.RequestAsync(register, RegisterTimeout, ct);
            if (response?.StatusCode == 401 && LoadSip.WithDigest(register, response, number, _password, _phone.Local) is { } retry)
            {
                response = await _phone.RequestAsync(retry, RegisterTimeout, ct);
            }

            if (response?.IsSuccess != true)
            {
                return $"REGISTER {number}: {(response is null ? "no answer" : response.StatusCode.ToString(CultureInfo.InvariantCulture))}";
            }
        }

        return null;
    }

    private void OnRequest(SipRequest request, IPEndPoint from)
    {
        if (request.Method == SipMethod.Ack)
        {
            return;
        }

        if (request.Method == SipMethod.Invite && request.To.Tag is null)
        {
            _phone.Send(_answered.GetOrAdd(request.CallId, _ =>
            {
                Interlocked.Increment(ref _answeredTotal);
                return Answer(request);
            }), from);
            return;
        }

        if (request.Method == SipMethod.Bye)
        {
            Interlocked.Increment(ref _byes);
        }

        if (request.Method == SipMethod.Bye || request.Method == SipMethod.Cancel)
        {
            // Forgotten once ended, so a soak's hour of calls does not pile up here.
            _answered.TryRemove(request.CallId, out _);
            if (_media.TryRemove(request.CallId, out var ended))
            {
                ended.Stop();
            }
        }

        _phone.Send(SipMessageFactory.CreateResponse(request, 200, null, request.To.Tag ?? SipIds.NewTag()).BuildResponse(), from);
    }

    private SipResponse Answer(SipRequest invite)
    {
        if (!PlainSdp.TryReadAudio(Encoding.UTF8.GetString(invite.Body.Span), out var relay))
        {
            Interlocked.Increment(ref _badOffers);
            return SipMessageFactory.CreateResponse(invite, 488, null, SipIds.NewTag()).BuildResponse();
        }

        var endpoint = _pumps.Add(new PlainRtpEndpoint(sendDirection: 1));
        endpoint.ConnectTo(relay);
        endpoint.Sending = true;
        _media[invite.CallId] = endpoint;
        return SipMessageFactory.CreateResponse(invite, 200, null, SipIds.NewTag())
            .AddHeader(SipHeaderId.Contact, LoadSip.Contact(invite.RequestUri.User ?? "load", _phone.Local))
            .SetBody(PlainSdp.Pcmu(endpoint.Local.Port), "application/sdp")
            .BuildResponse();
    }
}
