using System.Net;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;
using Switchboard.Sip.Tests.Transactions;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;
using Switchboard.Sip.UserAgent;

namespace Switchboard.Sip.Tests.UserAgent;

/// <summary>The RFC 3261 user-agent core, driven sans-IO: bytes in, what it sends and whom it tells out.</summary>
public class SipUserAgentCoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly SipFlow Udp = new(SipTransportKind.Udp, new IPEndPoint(IPAddress.Loopback, 5060), new IPEndPoint(IPAddress.Loopback, 5070));

    private sealed class Host : ISipUserAgentHost
    {
        public readonly List<(TimeSpan At, SipMessage Message)> Sent = [];
        public readonly List<SipRequest> NewRequests = [];
        public readonly List<SipServerTransaction> NewTransactions = [];
        public readonly Dictionary<(string, string), Dialog> Dialogs = [];
        public int Malformed;
        public int Answered400;
        public DateTimeOffset Now = Start;

        public void Send(in SipFlow flow, SipMessage message) => Sent.Add((Now - Start, message));

        public ISipDialogHandler? FindDialog(string callId, string localTag) => Dialogs.GetValueOrDefault((callId, localTag));

        public void OnNewRequest(SipServerTransaction transaction, SipRequest request, SipFlow flow)
        {
            NewRequests.Add(request);
            NewTransactions.Add(transaction);
        }

        public void OnMalformed(in SipFlow flow, SipParseResult parsed, bool answered)
        {
            Malformed++;
            Answered400 += answered ? 1 : 0;
        }

        public int[] Statuses() => [.. Sent.Select(s => s.Message).OfType<SipResponse>().Select(r => r.StatusCode)];
    }

    private sealed class Dialog : ISipDialogHandler, ISipClientHandler
    {
        public readonly List<SipRequest> Requests = [];
        public readonly List<SipResponse> Responses = [];
        public int Cancels;

        public void OnRequest(SipServerTransaction? transaction, SipRequest request, SipFlow flow) => Requests.Add(request);

        public void OnCancel(InviteServerTransaction invite) => Cancels++;

        public void OnStrayResponse(SipResponse response, SipFlow flow) => Responses.Add(response);

        public void OnResponse(SipClientTransaction transaction, SipResponse response) => Responses.Add(response);
    }

    private static (SipUserAgentCore Core, Host Host) Create()
    {
        var host = new Host();
        return (new SipUserAgentCore(host), host);
    }

    private static ReadOnlyMemory<byte> Bytes(SipMessage message) => message.Raw.ToArray();

    private static SipRequest Request(SipMethod method, string? toTag = null, int maxForwards = 70, string branch = "z9hG4bKcore1", string uri = "sip:bob@biloxi.example.com") =>
        SipMessageBuilder.Request(method, uri)
            .AddHeader("Via", $"SIP/2.0/UDP pc33.atlanta.example.com;branch={branch}")
            .AddHeader("Max-Forwards", maxForwards.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .AddHeader("To", toTag is null ? "Bob <sip:bob@biloxi.example.com>" : $"Bob <sip:bob@biloxi.example.com>;tag={toTag}")
            .AddHeader("From", "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl")
            .AddHeader("Call-ID", "core-call@atlanta.example.com")
            .AddHeader("CSeq", $"1 {method.Name}")
            .AddHeader("Contact", "<sip:alice@pc33.atlanta.example.com>")
            .BuildRequest();

    [Fact]
    public void A_draining_core_answers_new_requests_503_with_retry_after_and_lets_dialogs_go_on()
    {
        var (core, host) = Create();
        var dialog = new Dialog();
        host.Dialogs[("core-call@atlanta.example.com", "in-call")] = dialog;
        core.RefusesNewRequests = true;

        core.Receive(Bytes(Request(SipMethod.Options, branch: "z9hG4bKdrain1")), Udp, Start);
        core.Receive(Bytes(Request(SipMethod.Invite, branch: "z9hG4bKdrain2")), Udp, Start);
        core.Receive(Bytes(Request(SipMethod.Register, branch: "z9hG4bKdrain3", uri: "sip:biloxi.example.com")), Udp, Start);
        core.Receive(Bytes(Request(SipMethod.Bye, toTag: "in-call", branch: "z9hG4bKdrain4")), Udp, Start);

        var refusals = host.Sent.Select(s => s.Message).OfType<SipResponse>().Where(r => r.StatusCode >= 200).ToList();
        Assert.Equal(3, refusals.Count);
        Assert.All(refusals, r =>
        {
            Assert.Equal(503, r.StatusCode);
            Assert.Equal("30", r.GetHeaderValue("Retry-After"));
        });
        Assert.Empty(host.NewRequests);
        Assert.Equal(SipMethod.Bye, Assert.Single(dialog.Requests).Method);

        core.RefusesNewRequests = false;
        core.Receive(Bytes(Request(SipMethod.Options, branch: "z9hG4bKdrain5")), Udp, Start);
        Assert.Equal(200, ((SipResponse)host.Sent[^1].Message).StatusCode);
    }

    [Fact]
    public void Options_is_answered_by_the_core_with_what_we_allow()
    {
        var (core, host) = Create();
        core.Receive(Bytes(Request(SipMethod.Options)), Udp, Start);
        var ok = Assert.IsType<SipResponse>(Assert.Single(host.Sent).Message);
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal(core.Options.AllowedMethods, ok.GetHeaderValue(SipHeaderId.Allow));
        Assert.Empty(host.NewRequests);
    }

    [Theory]
    [InlineData("SUBSCRIBE", 405)]
    [InlineData("BYE", 481)]
    [InlineData("INFO", 481)]
    public void Out_of_dialog_methods_the_application_does_not_take_get_405_or_481(string method, int status)
    {
        var (core, host) = Create();
        core.Receive(Bytes(Request(method switch { "SUBSCRIBE" => SipMethod.Subscribe, "BYE" => SipMethod.Bye, _ => SipMethod.Info })), Udp, Start);
        Assert.Equal([status], host.Statuses());
        if (status == 405)
        {
            Assert.Equal(core.Options.AllowedMethods, ((SipResponse)host.Sent[0].Message).GetHeaderValue(SipHeaderId.Allow));
        }
    }

    [Fact]
    public void A_request_for_an_unknown_dialog_gets_481_and_a_known_one_reaches_its_leg()
    {
        var (core, host) = Create();
        core.Receive(Bytes(Request(SipMethod.Bye, toTag: "unknown")), Udp, Start);
        Assert.Equal([481], host.Statuses());

        var leg = new Dialog();
        host.Dialogs[("core-call@atlanta.example.com", "ours")] = leg;
        core.Receive(Bytes(Request(SipMethod.Bye, toTag: "ours", branch: "z9hG4bKcore2")), Udp, Start);
        Assert.Single(leg.Requests);
        Assert.Single(host.Sent); // the leg answers, not the core
    }

    [Fact]
    public void Max_forwards_zero_gets_483_and_a_tel_uri_416()
    {
        var (core, host) = Create();
        core.Receive(Bytes(Request(SipMethod.Invite, maxForwards: 0)), Udp, Start);
        core.Receive(Bytes(Request(SipMethod.Invite, branch: "z9hG4bKtel", uri: "tel:+15551234")), Udp, Start);
        Assert.Equal([100, 483, 100, 416], host.Statuses());
        Assert.Empty(host.NewRequests);
    }

    [Fact]
    public void A_2xx_to_an_invite_over_udp_is_resent_at_T1_doubling_to_T2_until_the_ack()
    {
        var (core, host) = Create();
        core.Receive(Bytes(Request(SipMethod.Invite)), Udp, Start);
        var tx = Assert.Single(host.NewTransactions);
        core.SendResponse(tx, TransactionTests.Response(tx.Request!, 200, "ours"), Start);

        void RunTo(TimeSpan end)
        {
            while (core.NextWakeUp is { } next && next <= Start + end)
            {
                host.Now = next;
                core.Tick(next);
            }
        }

        RunTo(TimeSpan.FromSeconds(8));
        double[] okTimes = [.. host.Sent.Where(s => s.Message is SipResponse { StatusCode: 200 }).Select(s => s.At.TotalSeconds)];
        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5], okTimes);

        var ack = Request(SipMethod.Ack, toTag: "ours", branch: "z9hG4bKack");
        host.Now = Start + TimeSpan.FromSeconds(8);
        core.Receive(Bytes(ack), Udp, host.Now);
        RunTo(TimeSpan.FromSeconds(40));
        Assert.DoesNotContain(host.Sent, s => s.Message is SipResponse { StatusCode: 200 } && s.At > TimeSpan.FromSeconds(8));
        Assert.Equal(0, core.PendingOks);
    }

    [Fact]
    public void Without_an_ack_the_2xx_is_given_up_after_64_T1()
    {
        var (core, host) = Create();
        core.Receive(Bytes(Request(SipMethod.Invite)), Udp, Start);
        var tx = Assert.Single(host.NewTransactions);
        core.SendResponse(tx, TransactionTests.Response(tx.Request!, 200, "ours"), Start);
        for (var i = 0; i < 100 && core.NextWakeUp is { } next && next <= Start + TimeSpan.FromSeconds(60); i++)
        {
            host.Now = next;
            core.Tick(next);
        }

        Assert.Equal(0, core.PendingOks);
        Assert.True(host.Sent.Last(s => s.Message is SipResponse { StatusCode: 200 }).At <= TimeSpan.FromSeconds(32));
    }

    [Fact]
    public void A_cancel_before_the_application_took_the_invite_answers_it_487_and_it_is_no_longer_pending()
    {
        var (core, host) = Create();
        core.Receive(Bytes(Request(SipMethod.Invite)), Udp, Start);
        var tx = Assert.Single(host.NewTransactions);
        Assert.True(SipUserAgentCore.IsPending(tx));

        core.Receive(Bytes(Request(SipMethod.Cancel)), Udp, Start);
        Assert.Equal([100, 200, 487], host.Statuses());
        Assert.False(SipUserAgentCore.IsPending(tx));
    }

    [Fact]
    public void A_cancel_for_an_invite_a_leg_owns_goes_to_that_leg_and_one_matching_nothing_gets_481()
    {
        var (core, host) = Create();
        var leg = new Dialog();
        host.Dialogs[("core-call@atlanta.example.com", "")] = leg;
        core.Receive(Bytes(Request(SipMethod.Invite)), Udp, Start);
        core.Receive(Bytes(Request(SipMethod.Cancel)), Udp, Start);
        Assert.Equal(1, leg.Cancels);
        Assert.Equal([100, 200], host.Statuses());

        core.Receive(Bytes(Request(SipMethod.Cancel, branch: "z9hG4bKnothing")), Udp, Start);
        Assert.Equal([100, 200, 481], host.Statuses());
    }

    [Fact]
    public void A_malformed_request_is_answered_400_and_garbage_is_dropped_and_counted()
    {
        var (core, host) = Create();
        core.Receive(Fixtures.Crlf("INVITE sip:bob@example.com SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\nTo: <sip:bob@example.com>\nFrom: <sip:a@example.com>;tag=1\nCall-ID: x\nCSeq: 1 INVITE\nContent-Length: 5\n\nab"), Udp, Start);
        core.Receive("not sip at all"u8.ToArray(), Udp, Start);
        Assert.Equal(2, host.Malformed);
        Assert.Equal(1, host.Answered400);
        Assert.Equal([400], host.Statuses());
    }

    [Fact]
    public void Responses_to_our_requests_reach_the_owner_and_a_late_2xx_reaches_the_dialog()
    {
        var (core, host) = Create();
        var leg = new Dialog();
        var invite = TransactionTests.Request(SipMethod.Invite, branch: "z9hG4bKours");
        core.SendRequest(invite, Udp, leg, Start);
        Assert.Same(invite, host.Sent[0].Message);

        core.Receive(Bytes(TransactionTests.Response(invite, 180)), Udp, Start);
        Assert.Equal(180, Assert.Single(leg.Responses).StatusCode);

        // A 2xx for a transaction that no longer exists goes to the dialog whose local tag is its From tag.
        host.Dialogs[("3848276298220188511@atlanta.example.com", "9fxced76sl")] = leg;
        var stray = TransactionTests.Response(TransactionTests.Request(SipMethod.Invite, branch: "z9hG4bKgone"), 200);
        core.Receive(Bytes(stray), Udp, Start);
        Assert.Equal([180, 200], leg.Responses.Select(r => r.StatusCode));
    }
}
