using System.Runtime.CompilerServices;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;
using Switchboard.Sip.Transactions;

namespace Switchboard.Sip.Tests.Transactions;

/// <summary>
/// A transaction that has its final response lingers up to 64 x T1 (RFC 3261 section 17, RFC 6026 section 7) only to
/// absorb or answer retransmissions: it must not keep the parsed request and responses (tens of thousands of them in a
/// loaded node's heap), and what it resends must still be the same bytes. Each case is set up in a frame of its own,
/// so that only the transaction layer could keep the messages alive; retransmissions arrive as new parses of bytes.
/// </summary>
public class LingeringTransactionTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private sealed record Lingering(SipTransactionLayer Layer, SipTransaction Transaction, WeakReference[] Messages, byte[] Sent, byte[] Retransmission);

    [Fact]
    public void Invite_server_in_completed_keeps_only_the_bytes_of_its_final_response_and_resends_them_unchanged()
    {
        var l = Lingers(InviteServerAnswered(486), SipTransactionState.Completed);

        // 17.2.1: a retransmitted INVITE, and Timer G, resend the final response byte for byte.
        Assert.Equal(l.Sent, SentBytes(Retransmit(l)));
        Assert.Equal(l.Sent, SentBytes(l.Layer.Tick(Start + TimeSpan.FromSeconds(0.5))));

        // The ACK confirms it; Confirmed absorbs retransmissions without answering them.
        var ack = Parse(Ack(l.Retransmission, l.Sent));
        Assert.Equal(NetworkDispatchKind.Matched, l.Layer.ReceiveFromNetwork(ack, false, Start).Kind);
        Assert.Equal(SipTransactionState.Confirmed, l.Transaction.State);
        Assert.Empty(Retransmit(l));
    }

    [Fact]
    public void Invite_server_in_accepted_keeps_neither_the_invite_nor_the_2xx_and_still_absorbs_the_invite()
    {
        var l = Lingers(InviteServerAnswered(200), SipTransactionState.Accepted);

        // RFC 6026 7.1: retransmitted INVITEs are absorbed; an ACK with the INVITE's branch is passed up.
        Assert.Empty(Retransmit(l));
        var ack = Parse(Ack(l.Retransmission, l.Sent));
        Assert.Equal(TransactionActionKind.DeliverToTu, Assert.Single(l.Layer.ReceiveFromNetwork(ack, false, Start).Actions).Kind);
    }

    [Fact]
    public void Non_invite_server_in_completed_keeps_only_the_bytes_of_its_final_response_and_resends_them_unchanged()
    {
        var l = Lingers(NonInviteServerAnswered(), SipTransactionState.Completed);

        // 17.2.2: every retransmission of the request gets the final response again, byte for byte.
        Assert.Equal(l.Sent, SentBytes(Retransmit(l)));
        Assert.Equal(l.Sent, SentBytes(Retransmit(l)));
    }

    [Fact]
    public void Invite_client_in_completed_keeps_only_the_bytes_of_its_ack_and_resends_them_unchanged()
    {
        var l = Lingers(InviteClientAnswered(486), SipTransactionState.Completed);

        // 17.1.1.2: a retransmitted final response is answered with the same ACK and not passed up.
        Assert.Equal(l.Sent, SentBytes(Retransmit(l)));
    }

    [Fact]
    public void Invite_client_in_accepted_keeps_neither_the_invite_nor_the_2xx_and_still_passes_2xx_up()
    {
        var l = Lingers(InviteClientAnswered(200), SipTransactionState.Accepted);

        // RFC 6026 7.2: a retransmitted 2xx goes to the TU, which ACKs it.
        var again = Assert.Single(Retransmit(l));
        Assert.Equal(TransactionActionKind.DeliverToTu, again.Kind);
        Assert.Equal(l.Retransmission, again.Message!.Raw.ToArray());
    }

    [Fact]
    public void Non_invite_client_in_completed_keeps_neither_its_request_nor_the_response()
    {
        var l = Lingers(NonInviteClientAnswered(), SipTransactionState.Completed);

        // 17.1.2.2: Completed absorbs retransmitted responses.
        Assert.Empty(Retransmit(l));
        l.Layer.Tick(Start + TimeSpan.FromSeconds(5));
        Assert.Equal(SipTransactionState.Terminated, l.Transaction.State);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Lingering InviteServerAnswered(int status)
    {
        var layer = new SipTransactionLayer();
        var invite = TransactionTests.Request(SipMethod.Invite);
        var tx = (SipServerTransaction)layer.ReceiveFromNetwork(invite, false, Start).Transaction!;
        var response = TransactionTests.Response(invite, status);
        layer.SendResponse(tx, response, Start);
        return new(layer, tx, [new(invite), new(response)], response.Raw.ToArray(), invite.Raw.ToArray());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Lingering NonInviteServerAnswered()
    {
        var layer = new SipTransactionLayer();
        var options = TransactionTests.Request(SipMethod.Options);
        var tx = (SipServerTransaction)layer.ReceiveFromNetwork(options, false, Start).Transaction!;
        var ok = TransactionTests.Response(options, 200);
        layer.SendResponse(tx, ok, Start);
        return new(layer, tx, [new(options), new(ok)], ok.Raw.ToArray(), options.Raw.ToArray());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Lingering InviteClientAnswered(int status)
    {
        var layer = new SipTransactionLayer();
        var invite = TransactionTests.Request(SipMethod.Invite);
        var (tx, _) = layer.StartClient(invite, reliable: false, Start);
        var response = Parse(TransactionTests.Response(invite, status).Raw.ToArray());
        var actions = layer.ReceiveFromNetwork(response, false, Start).Actions;
        var ack = actions.Where(a => a.Kind == TransactionActionKind.Send).Select(a => a.Message!).SingleOrDefault();
        WeakReference[] kept = ack is null ? [new(invite), new(response)] : [new(invite), new(response), new(ack)];
        return new(layer, tx, kept, ack?.Raw.ToArray() ?? [], response.Raw.ToArray());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Lingering NonInviteClientAnswered()
    {
        var layer = new SipTransactionLayer();
        var bye = TransactionTests.Request(SipMethod.Bye);
        var (tx, _) = layer.StartClient(bye, reliable: false, Start);
        var ok = Parse(TransactionTests.Response(bye, 200).Raw.ToArray());
        layer.ReceiveFromNetwork(ok, false, Start);
        return new(layer, tx, [new(bye), new(ok)], [], ok.Raw.ToArray());
    }

    /// <summary>The ACK a UAC sends for the final response <paramref name="response"/> to <paramref name="invite"/>, as bytes.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] Ack(byte[] invite, byte[] response) =>
        SipMessageFactory.CreateAckForFailure((SipRequest)Parse(invite), (SipResponse)Parse(response)).Raw.ToArray();

    private static SipMessage Parse(byte[] bytes) => SipParser.Parse(bytes.AsSpan()).Message!;

    private static byte[] SentBytes(IReadOnlyList<TransactionAction> actions) =>
        Assert.Single(actions, a => a.Kind == TransactionActionKind.Send).Message!.Raw.ToArray();

    /// <summary>Asserts that the transaction lingers in <paramref name="state"/> holding none of the messages it was given.</summary>
    private static Lingering Lingers(Lingering l, SipTransactionState state)
    {
        Assert.Equal(state, l.Transaction.State);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        for (var i = 0; i < l.Messages.Length; i++)
        {
            Assert.False(l.Messages[i].IsAlive, $"message {i} is still reachable from the lingering transaction ({l.Messages[i].Target})");
        }

        return l;
    }

    /// <summary>The request or response the transaction was made for, arriving again as a new parse of its bytes.</summary>
    private static IReadOnlyList<TransactionAction> Retransmit(Lingering l) => l.Layer.ReceiveFromNetwork(Parse(l.Retransmission), false, Start).Actions;
}
