using Microsoft.Extensions.Time.Testing;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;

namespace Switchboard.Sip.Tests.Transactions;

public class TransactionTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    internal static SipRequest Request(SipMethod method, string branch = "z9hG4bK74bf9", string transport = "UDP") =>
        SipMessageBuilder.Request(method, "sip:bob@biloxi.example.com")
            .AddHeader("Via", $"SIP/2.0/{transport} pc33.atlanta.example.com;branch={branch}")
            .AddHeader("Max-Forwards", "70")
            .AddHeader("To", "Bob <sip:bob@biloxi.example.com>")
            .AddHeader("From", "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl")
            .AddHeader("Call-ID", "3848276298220188511@atlanta.example.com")
            .AddHeader("CSeq", $"1 {method.Name}")
            .AddHeader("Contact", "<sip:alice@pc33.atlanta.example.com>")
            .BuildRequest();

    internal static SipResponse Response(SipRequest request, int status, string? toTag = "8321234356") =>
        SipMessageFactory.CreateResponse(request, status, toTag: status > 100 ? toTag : null).BuildResponse();

    /// <summary>Steps a fake clock from wake-up to wake-up, recording when each action happened.</summary>
    private sealed class Driver
    {
        public readonly FakeTimeProvider Time = new(Start);
        public readonly SipTransactionLayer Layer = new();
        public readonly List<(TimeSpan At, TransactionAction Action)> Log = [];

        public TimeSpan Now => Time.GetUtcNow() - Start;

        public void Record(IEnumerable<TransactionAction> actions)
        {
            foreach (var a in actions) Log.Add((Now, a));
        }

        public void RunUntil(TimeSpan end)
        {
            while (Layer.NextWakeUp is { } next && next - Start <= end)
            {
                Time.SetUtcNow(next);
                Record(Layer.Tick(Time.GetUtcNow()));
            }
            if (Start + end > Time.GetUtcNow()) Time.SetUtcNow(Start + end);
        }

        public double[] SendTimes(Func<SipMessage, bool>? filter = null) =>
            [.. Log.Where(l => l.Action.Kind == TransactionActionKind.Send && (filter is null || filter(l.Action.Message!))).Select(l => l.At.TotalSeconds)];
    }

    [Fact]
    public void Invite_client_retransmits_with_doubling_timer_A_then_timer_B_gives_408_to_the_TU()
    {
        var d = new Driver();
        var (tx, actions) = d.Layer.StartClient(Request(SipMethod.Invite), reliable: false, d.Time.GetUtcNow());
        d.Record(actions);
        d.RunUntil(TimeSpan.FromSeconds(40));
        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5], d.SendTimes());
        var timeout = Assert.Single(d.Log, l => l.Action.Kind == TransactionActionKind.TimedOut);
        Assert.Equal(32, timeout.At.TotalSeconds);
        Assert.Equal(408, ((SipResponse)timeout.Action.Message!).StatusCode);
        Assert.Equal(SipTransactionState.Terminated, tx.State);
        Assert.Equal(0, d.Layer.ClientCount);
    }

    [Fact]
    public void Invite_client_over_a_reliable_transport_sends_once()
    {
        var d = new Driver();
        d.Record(d.Layer.StartClient(Request(SipMethod.Invite, transport: "TCP"), reliable: true, d.Time.GetUtcNow()).Actions);
        d.RunUntil(TimeSpan.FromSeconds(40));
        Assert.Equal([0], d.SendTimes());
        Assert.Equal(32, Assert.Single(d.Log, l => l.Action.Kind == TransactionActionKind.TimedOut).At.TotalSeconds);
    }

    [Fact]
    public void Non_invite_client_timer_E_doubles_up_to_T2_then_timer_F_times_out()
    {
        var d = new Driver();
        d.Record(d.Layer.StartClient(Request(SipMethod.Options), reliable: false, d.Time.GetUtcNow()).Actions);
        d.RunUntil(TimeSpan.FromSeconds(40));
        double[] expected = [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5];
        Assert.Equal(expected, d.SendTimes());
        var timeout = Assert.Single(d.Log, l => l.Action.Kind == TransactionActionKind.TimedOut);
        Assert.Equal(32, timeout.At.TotalSeconds);
        Assert.Equal(408, ((SipResponse)timeout.Action.Message!).StatusCode);
    }

    [Fact]
    public void Non_invite_client_in_proceeding_retransmits_every_T2_and_final_response_starts_timer_K()
    {
        var d = new Driver();
        var request = Request(SipMethod.Register);
        var (tx, actions) = d.Layer.StartClient(request, reliable: false, d.Time.GetUtcNow());
        d.Record(actions);
        d.RunUntil(TimeSpan.FromSeconds(0.7));
        var provisional = d.Layer.ReceiveFromNetwork(Response(request, 100), false, d.Time.GetUtcNow());
        Assert.Equal(NetworkDispatchKind.Matched, provisional.Kind);
        Assert.Equal(SipTransactionState.Proceeding, tx.State);
        d.RunUntil(TimeSpan.FromSeconds(10));
        // Proceeding from 0.7 s: the E firing at 1.5 s re-arms at T2 (section 17.1.2.2), so 5.5 and 9.5.
        Assert.Equal([0, 0.5, 1.5, 5.5, 9.5], d.SendTimes());
        var final = d.Layer.ReceiveFromNetwork(Response(request, 200), false, d.Time.GetUtcNow());
        Assert.Contains(final.Actions, a => a.Kind == TransactionActionKind.DeliverToTu);
        Assert.Equal(SipTransactionState.Completed, tx.State);
        d.RunUntil(TimeSpan.FromSeconds(14.9));
        Assert.Equal(SipTransactionState.Completed, tx.State);
        d.RunUntil(TimeSpan.FromSeconds(15));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public void Invite_client_failure_is_acked_by_the_transaction_and_retransmissions_reack_until_timer_D()
    {
        var d = new Driver();
        var invite = Request(SipMethod.Invite);
        var (tx, actions) = d.Layer.StartClient(invite, reliable: false, d.Time.GetUtcNow());
        var ringing = d.Layer.ReceiveFromNetwork(Response(invite, 180), false, d.Time.GetUtcNow());
        Assert.Equal(SipTransactionState.Proceeding, tx.State);
        Assert.Equal(TransactionActionKind.DeliverToTu, Assert.Single(ringing.Actions).Kind);
        d.RunUntil(TimeSpan.FromSeconds(5));
        Assert.Equal(1, actions.Count(a => a.Kind == TransactionActionKind.Send));
        Assert.Empty(d.SendTimes());

        var busy = Response(invite, 486);
        var first = d.Layer.ReceiveFromNetwork(busy, false, d.Time.GetUtcNow()).Actions;
        var ack = (SipRequest)Assert.Single(first, a => a.Kind == TransactionActionKind.Send).Message!;
        Assert.Equal(SipMethod.Ack, ack.Method);
        Assert.Equal(invite.TopVia.Branch, ack.TopVia.Branch);
        Assert.Equal("8321234356", ack.To.Tag);
        Assert.Equal(new SipCSeq(1, SipMethod.Ack), ack.CSeq);
        Assert.Contains(first, a => a.Kind == TransactionActionKind.DeliverToTu);
        Assert.Equal(SipTransactionState.Completed, tx.State);

        var again = d.Layer.ReceiveFromNetwork(busy, false, d.Time.GetUtcNow()).Actions;
        Assert.Equal(TransactionActionKind.Send, Assert.Single(again).Kind);
        d.RunUntil(TimeSpan.FromSeconds(36.9));
        Assert.Equal(SipTransactionState.Completed, tx.State);
        d.RunUntil(TimeSpan.FromSeconds(37));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public void Invite_client_2xx_enters_accepted_passes_retransmitted_2xx_up_and_ends_on_timer_M()
    {
        var d = new Driver();
        var invite = Request(SipMethod.Invite);
        var (tx, _) = d.Layer.StartClient(invite, reliable: false, d.Time.GetUtcNow());
        var ok = Response(invite, 200);
        Assert.Equal(TransactionActionKind.DeliverToTu, d.Layer.ReceiveFromNetwork(ok, false, d.Time.GetUtcNow()).Actions[0].Kind);
        Assert.Equal(SipTransactionState.Accepted, tx.State);
        var again = d.Layer.ReceiveFromNetwork(ok, false, d.Time.GetUtcNow());
        Assert.Equal(TransactionActionKind.DeliverToTu, Assert.Single(again.Actions).Kind);
        d.RunUntil(TimeSpan.FromSeconds(40));
        Assert.Empty(d.SendTimes());
        Assert.Equal(SipTransactionState.Terminated, tx.State);
        Assert.Equal(NetworkDispatchKind.StrayResponse, d.Layer.ReceiveFromNetwork(ok, false, d.Time.GetUtcNow()).Kind);
    }

    [Fact]
    public void Invite_server_2xx_accepted_absorbs_invite_retransmissions_passes_ack_and_timer_L_ends_it()
    {
        var d = new Driver();
        var invite = Request(SipMethod.Invite);
        var created = d.Layer.ReceiveFromNetwork(invite, false, d.Time.GetUtcNow());
        Assert.Equal(NetworkDispatchKind.NewServerTransaction, created.Kind);
        Assert.Contains(created.Actions, a => a.Kind == TransactionActionKind.DeliverToTu);
        Assert.Equal(100, ((SipResponse)Assert.Single(created.Actions, a => a.Kind == TransactionActionKind.Send).Message!).StatusCode);
        var tx = (InviteServerTransaction)created.Transaction!;

        var ok = Response(invite, 200);
        var sent = d.Layer.SendResponse(tx, ok, d.Time.GetUtcNow());
        Assert.Contains(sent, a => a.Kind == TransactionActionKind.Send && a.Message == ok);
        Assert.Equal(SipTransactionState.Accepted, tx.State);

        Assert.Empty(d.Layer.ReceiveFromNetwork(invite, false, d.Time.GetUtcNow()).Actions);
        Assert.Equal(TransactionActionKind.Send, Assert.Single(d.Layer.SendResponse(tx, ok, d.Time.GetUtcNow())).Kind);

        // The ACK for a 2xx is a new transaction upstream (new branch): it does not match and goes to the TU core.
        var ack2xx = Request(SipMethod.Ack, branch: "z9hG4bKnewbranch");
        Assert.Equal(NetworkDispatchKind.UnmatchedAck, d.Layer.ReceiveFromNetwork(ack2xx, false, d.Time.GetUtcNow()).Kind);
        // An ACK that does carry the INVITE's branch is passed up by the Accepted state.
        var ackSame = Request(SipMethod.Ack);
        Assert.Equal(TransactionActionKind.DeliverToTu, Assert.Single(d.Layer.ReceiveFromNetwork(ackSame, false, d.Time.GetUtcNow()).Actions).Kind);

        d.RunUntil(TimeSpan.FromSeconds(31.9));
        Assert.Equal(SipTransactionState.Accepted, tx.State);
        d.RunUntil(TimeSpan.FromSeconds(32));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
        Assert.Equal(0, d.Layer.ServerCount);
    }

    [Fact]
    public void Invite_server_failure_retransmits_on_timer_G_until_ack_then_timer_I()
    {
        var d = new Driver();
        var invite = Request(SipMethod.Invite);
        var tx = (InviteServerTransaction)d.Layer.ReceiveFromNetwork(invite, false, d.Time.GetUtcNow()).Transaction!;
        var busy = Response(invite, 486);
        d.Record(d.Layer.SendResponse(tx, busy, d.Time.GetUtcNow()));
        Assert.Equal(SipTransactionState.Completed, tx.State);
        d.RunUntil(TimeSpan.FromSeconds(12));
        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 11.5], d.SendTimes());
        Assert.Equal(TransactionActionKind.Send, Assert.Single(d.Layer.ReceiveFromNetwork(invite, false, d.Time.GetUtcNow()).Actions).Kind);

        var ack = SipMessageFactory.CreateAckForFailure(invite, busy);
        var confirmed = d.Layer.ReceiveFromNetwork(ack, false, d.Time.GetUtcNow());
        Assert.Equal(NetworkDispatchKind.Matched, confirmed.Kind);
        Assert.Equal(SipTransactionState.Confirmed, tx.State);
        Assert.Empty(d.Layer.ReceiveFromNetwork(ack, false, d.Time.GetUtcNow()).Actions);
        d.RunUntil(TimeSpan.FromSeconds(16.9));
        Assert.Equal(SipTransactionState.Confirmed, tx.State);
        Assert.Equal(6, d.SendTimes().Length);
        d.RunUntil(TimeSpan.FromSeconds(17));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public void Invite_server_without_ack_times_out_on_timer_H()
    {
        var d = new Driver();
        var invite = Request(SipMethod.Invite);
        var tx = (InviteServerTransaction)d.Layer.ReceiveFromNetwork(invite, false, d.Time.GetUtcNow()).Transaction!;
        d.Layer.SendResponse(tx, Response(invite, 603), d.Time.GetUtcNow());
        d.RunUntil(TimeSpan.FromSeconds(40));
        Assert.Equal(32, Assert.Single(d.Log, l => l.Action.Kind == TransactionActionKind.TimedOut).At.TotalSeconds);
        // G capped at T2: 0.5, 1.5, 3.5, 7.5, then every 4 s up to 31.5.
        Assert.Equal([0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5], d.SendTimes());
    }

    [Fact]
    public void Invite_server_on_a_reliable_transport_terminates_on_ack()
    {
        var d = new Driver();
        var invite = Request(SipMethod.Invite, transport: "TCP");
        var tx = (InviteServerTransaction)d.Layer.ReceiveFromNetwork(invite, true, d.Time.GetUtcNow()).Transaction!;
        var busy = Response(invite, 486);
        d.Record(d.Layer.SendResponse(tx, busy, d.Time.GetUtcNow()));
        d.RunUntil(TimeSpan.FromSeconds(10));
        Assert.Empty(d.SendTimes(m => m is SipResponse).Skip(1));
        var actions = d.Layer.ReceiveFromNetwork(SipMessageFactory.CreateAckForFailure(invite, busy), true, d.Time.GetUtcNow()).Actions;
        Assert.Equal(TransactionActionKind.Terminated, Assert.Single(actions).Kind);
    }

    [Fact]
    public void Non_invite_server_resends_its_final_response_and_ends_on_timer_J()
    {
        var d = new Driver();
        var options = Request(SipMethod.Options);
        var created = d.Layer.ReceiveFromNetwork(options, false, d.Time.GetUtcNow());
        var tx = (NonInviteServerTransaction)created.Transaction!;
        Assert.Equal(TransactionActionKind.DeliverToTu, Assert.Single(created.Actions).Kind);
        Assert.Empty(d.Layer.ReceiveFromNetwork(options, false, d.Time.GetUtcNow()).Actions);
        var ok = Response(options, 200);
        d.Layer.SendResponse(tx, ok, d.Time.GetUtcNow());
        // Completed keeps the response's bytes, not the message: the resend is the same bytes (LingeringTransactionTests).
        Assert.Equal(ok.Raw.ToArray(), Assert.Single(d.Layer.ReceiveFromNetwork(options, false, d.Time.GetUtcNow()).Actions).Message!.Raw.ToArray());
        d.RunUntil(TimeSpan.FromSeconds(31.9));
        Assert.Equal(SipTransactionState.Completed, tx.State);
        d.RunUntil(TimeSpan.FromSeconds(32));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public void Cancel_matches_the_invite_server_transaction()
    {
        var d = new Driver();
        var invite = Request(SipMethod.Invite);
        var inviteTx = d.Layer.ReceiveFromNetwork(invite, false, d.Time.GetUtcNow()).Transaction;
        var cancel = SipMessageFactory.CreateCancel(invite);
        Assert.Equal(SipMethod.Cancel, cancel.CSeq.Method);
        Assert.Equal(invite.CSeq.Number, cancel.CSeq.Number);
        var dispatch = d.Layer.ReceiveFromNetwork(cancel, false, d.Time.GetUtcNow());
        Assert.Equal(NetworkDispatchKind.NewServerTransaction, dispatch.Kind);
        Assert.Same(inviteTx, dispatch.CancelTarget);
        Assert.NotSame(inviteTx, dispatch.Transaction);
        Assert.Equal(2, d.Layer.ServerCount);
    }

    [Fact]
    public void Stale_timer_inputs_and_inputs_after_termination_are_ignored()
    {
        var invite = Request(SipMethod.Invite);
        var tx = new InviteClientTransaction(invite, reliable: false);
        tx.Start(Start);
        Assert.Empty(tx.Handle(TransactionInput.Fired(SipTimer.D), Start));
        tx.Handle(TransactionInput.FromNetwork(Response(invite, 404)), Start);
        Assert.Empty(tx.Handle(TransactionInput.Fired(SipTimer.A), Start));
        var transportError = new NonInviteClientTransaction(Request(SipMethod.Bye), reliable: true);
        transportError.Start(Start);
        var failed = transportError.Handle(TransactionInput.TransportFailed(), Start);
        Assert.Equal(503, ((SipResponse)failed[0].Message!).StatusCode);
        Assert.Empty(transportError.Handle(TransactionInput.FromNetwork(Response(transportError.Request!, 200)), Start));
    }
}
