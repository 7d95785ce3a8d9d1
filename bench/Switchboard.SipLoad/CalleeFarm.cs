using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Switchboard.Sip.Messages;

namespace Switchboard.SipLoad;

/// <summary>
/// The called phones: extensions registered over UDP with digest from one socket (each with its own Contact user),
/// answering every INVITE at once with 180 and 200 + PCMU SDP, and every BYE with 200. Stateless: the To tag is
/// derived from the Call-ID, so a retransmitted INVITE gets the same answer (RFC 3261 section 17.2.1 idempotence).
/// </summary>
internal sealed class CalleeFarm : IDisposable
{
    private static readonly TimeSpan RegisterTimeout = TimeSpan.FromSeconds(5);
    private readonly SipUdpSocket _socket = new();
    private readonly IPEndPoint _pbx;
    private readonly string _domain;
    private readonly string _password;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<SipResponse>> _waiting = new(StringComparer.Ordinal);
    private long _invites;
    private long _byes;

    public CalleeFarm(IPEndPoint pbx, string domain, string password)
    {
        _pbx = pbx;
        _domain = domain;
        _password = password;
    }

    /// <summary>INVITEs received, retransmissions included.</summary>
    public long Invites => Interlocked.Read(ref _invites);

    public long Byes => Interlocked.Read(ref _byes);

    public Task ReceiveLoopAsync(CancellationToken ct) => _socket.ReceiveLoopAsync(OnMessage, ct);

    /// <summary>Registers every number in turn; false (with the reason) at the first that fails.</summary>
    public async Task<(bool Ok, string Detail)> RegisterAsync(IEnumerable<string> numbers, CancellationToken ct)
    {
        foreach (var number in numbers)
        {
            var register = LoadSip.NewRequest(SipMethod.Register, $"sip:{_domain}", $"<sip:{number}@{_domain}>", number, _domain, _socket.Local, SipIds.NewCallId("load"), 1)
                .AddHeader(SipHeaderId.Contact, LoadSip.Contact(number, _socket.Local))
                .AddHeader(SipHeaderId.Expires, "3600")
                .BuildRequest();
            var response = await SendAndWaitAsync(register, ct);
            if (response?.StatusCode == 401 && LoadSip.WithDigest(register, response, number, _password, _socket.Local) is { } retry)
            {
                response = await SendAndWaitAsync(retry, ct);
            }

            if (response?.IsSuccess != true)
            {
                return (false, $"REGISTER {number}: {(response is null ? "no answer" : response.StatusCode.ToString(CultureInfo.InvariantCulture))}");
            }
        }

        return (true, "");
    }

    public void Dispose() => _socket.Dispose();

    private async Task<SipResponse?> SendAndWaitAsync(SipRequest request, CancellationToken ct)
    {
        var key = Key(request.CallId, request.CSeq.Number);
        var answer = new TaskCompletionSource<SipResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[key] = answer;
        try
        {
            _socket.Send(request, _pbx);
            return await answer.Task.WaitAsync(RegisterTimeout, ct);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            _waiting.TryRemove(key, out _);
        }
    }

    private void OnMessage(SipMessage message, IPEndPoint from)
    {
        if (message is SipResponse response)
        {
            if (!response.IsProvisional && _waiting.TryGetValue(Key(response.CallId, response.CSeq.Number), out var waiter))
            {
                waiter.TrySetResult(response);
            }

            return;
        }

        var request = (SipRequest)message;
        if (request.Method == SipMethod.Ack)
        {
            return;
        }

        if (request.Method == SipMethod.Invite)
        {
            Interlocked.Increment(ref _invites);
            var tag = TagFor(request.CallId);
            _socket.Send(SipMessageFactory.CreateResponse(request, 180, null, tag).BuildResponse(), from);
            _socket.Send(SipMessageFactory.CreateResponse(request, 200, null, tag)
                .AddHeader(SipHeaderId.Contact, LoadSip.Contact(request.RequestUri.User ?? "load", _socket.Local))
                .SetBody(LoadSip.PcmuSdp, "application/sdp")
                .BuildResponse(), from);
            return;
        }

        if (request.Method == SipMethod.Bye)
        {
            Interlocked.Increment(ref _byes);
        }

        // BYE, OPTIONS, CANCEL (too late: the call is answered) and anything else: 200.
        _socket.Send(SipMessageFactory.CreateResponse(request, 200, null, request.To.Tag ?? TagFor(request.CallId)).BuildResponse(), from);
    }

    private static string TagFor(string callId) => "c" + callId.GetHashCode(StringComparison.Ordinal).ToString("x8", CultureInfo.InvariantCulture);

    private static string Key(string callId, uint cseq) => callId + " " + cseq.ToString(CultureInfo.InvariantCulture);
}
