using System.Net;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Sip;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Tests.Sip;

/// <summary>
/// Store work (digest look-ups) runs off the endpoint's loop and its result comes back to the loop: the user-agent
/// core is touched by one thread only, and a CANCEL that arrives while the caller is still being checked wins.
/// </summary>
public sealed class SipEndpointStoreWorkTests : IAsyncDisposable
{
    private static readonly IPEndPoint PbxAddress = new(IPAddress.Parse("10.0.0.1"), 5060);
    private static readonly IPEndPoint PhoneAddress = new(IPAddress.Parse("10.0.0.2"), 5062);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly InMemorySipNetwork _network = new();
    private readonly GatedServices _services = new();
    private readonly RecordingAcceptor _calls = new();
    private readonly SipEndpoint _endpoint;
    private readonly InMemorySipEndpoint _phone;
    private readonly Channel<SipResponse> _responses = Channel.CreateUnbounded<SipResponse>();

    public SipEndpointStoreWorkTests()
    {
        var transport = _network.AddEndpoint("pbx", PbxAddress);
        _endpoint = new SipEndpoint(transport, _services, _services, _services, new SipEndpointOptions(), TimeProvider.System, NullLogger<SipEndpoint>.Instance);
        _endpoint.Start(_calls);
        transport.Attach(_endpoint);
        _phone = _network.AddEndpoint("phone", PhoneAddress);
        _phone.Attach(new Inbox(_responses.Writer));
    }

    [Fact]
    public async Task A_cancel_while_the_caller_is_being_checked_gets_487_and_the_call_engine_never_starts_the_call()
    {
        Send(Invite());
        Assert.Equal(100, (await NextAsync()).StatusCode);
        Send(Cancel());
        var answers = new[] { (await NextAsync()).StatusCode, (await NextAsync()).StatusCode };
        Assert.Equal([200, 487], answers.Order());

        await StoreWorkDoneAsync();
        Assert.Equal(0, _calls.Invites);
    }

    [Fact]
    public async Task Without_a_cancel_the_checked_invite_reaches_the_call_engine_from_the_loop()
    {
        Send(Invite());
        Assert.Equal(100, (await NextAsync()).StatusCode);
        await StoreWorkDoneAsync();
        Assert.Equal(1, _calls.Invites);
    }

    /// <summary>
    /// Lets the held look-up answer and waits until its result has been applied on the loop, then for one more round
    /// trip through the loop. The 100 Trying leaves before the INVITE is handed up, so the look-up is first awaited
    /// as started and tracked (it cannot end before the release), and only then released.
    /// </summary>
    private async Task StoreWorkDoneAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        await _services.Entered.WaitAsync(cts.Token);
        while (_endpoint.PendingStoreWork == 0)
        {
            await Task.Delay(5, cts.Token);
        }

        _services.Release();
        while (_endpoint.PendingStoreWork > 0)
        {
            await Task.Delay(5, cts.Token);
        }

        Send(Options());
        while ((await NextAsync()).CSeq.Method != SipMethod.Options)
        {
        }
    }

    private async Task<SipResponse> NextAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        return await _responses.Reader.ReadAsync(cts.Token);
    }

    private void Send(string text) =>
        _phone.TrySend(new SipFlow(SipTransportKind.Udp, PhoneAddress, PbxAddress), Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n")));

    private static string Headers(string method, string branch, int cseq = 1) => $"""
        {method} sip:101@example.com SIP/2.0
        Via: SIP/2.0/UDP 10.0.0.2:5062;branch={branch}
        Max-Forwards: 70
        From: <sip:100@example.com>;tag=phone1
        To: <sip:101@example.com>
        Call-ID: store-work-call
        CSeq: {cseq} {method}

        """ + "\n";

    private static string Invite() => Headers("INVITE", "z9hG4bKinv1").Replace("CSeq", "Contact: <sip:100@10.0.0.2:5062>\nContent-Length: 0\nCSeq", StringComparison.Ordinal);

    private static string Cancel() => Headers("CANCEL", "z9hG4bKinv1").Replace("CSeq", "Content-Length: 0\nCSeq", StringComparison.Ordinal);

    private static string Options() => Headers("OPTIONS", "z9hG4bKopt" + Guid.NewGuid().ToString("N")[..8], 2).Replace("CSeq", "Content-Length: 0\nCSeq", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        _services.Release();
        await _endpoint.DisposeAsync();
        await _network.DisposeAsync();
    }

    private sealed class Inbox(ChannelWriter<SipResponse> responses) : ISipReceiver
    {
        public void OnReceived(in SipFlow flow, ReadOnlySpan<byte> message)
        {
            if (SipParser.Parse(message.ToArray().AsMemory()).Message is SipResponse response)
            {
                responses.TryWrite(response);
            }
        }

        public void OnFlowClosed(in SipFlow flow)
        {
        }
    }

    /// <summary>A store whose digest check takes as long as the test wants: it answers "extension 100" when released.</summary>
    private sealed class GatedServices : ISipRegistrar, ISipAuthenticator, ISipLocations
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the endpoint has asked for the digest check.</summary>
        public Task Entered => _entered.Task;

        public void Release() => _gate.TrySetResult();

        public async Task<SipAuthDecision> AuthenticateAsync(SipRequest request, SipFlow flow, CancellationToken ct)
        {
            _entered.TrySetResult();
            await _gate.Task.WaitAsync(ct);
            return new SipAuthDecision(new Extension(1, "example.com", "100", "Alice", DateTimeOffset.UnixEpoch), null);
        }

        public Task<SipResponse> HandleRegisterAsync(SipRequest request, SipFlow flow, CancellationToken ct) =>
            Task.FromResult(SipMessageFactory.CreateResponse(request, 200, null, SipIds.NewTag()).BuildResponse());

        public IReadOnlyList<SipContact> Lookup(long extensionId) => [];

        public void OnFlowClosed(SipFlow flow)
        {
        }
    }

    private sealed class RecordingAcceptor : ISipCallAcceptor
    {
        private int _invites;

        public int Invites => Volatile.Read(ref _invites);

        public void OnInvite(InviteServerTransaction transaction, SipRequest invite, SipFlow flow, Extension caller) => Interlocked.Increment(ref _invites);

        public void OnTrunkInvite(InviteServerTransaction transaction, SipRequest invite, SipFlow flow, Trunks.Trunk trunk) => Interlocked.Increment(ref _invites);
    }
}
