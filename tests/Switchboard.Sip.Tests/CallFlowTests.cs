using Microsoft.Extensions.Time.Testing;
using Switchboard.Sip.Dialogs;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;
using Switchboard.Sip.Transactions;

namespace Switchboard.Sip.Tests;

/// <summary>Two endpoints in memory, bytes in between (written and parsed each hop), the first INVITE lost: INVITE, 180, 200, ACK, BYE.</summary>
public class CallFlowTests
{
    [Fact]
    public void Invite_ringing_answer_ack_bye_over_a_lossy_datagram_link()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var alice = new SipTransactionLayer();
        var bob = new SipTransactionLayer();
        var toBob = new Queue<byte[]>();
        var toAlice = new Queue<byte[]>();
        var dropNextToBob = true;
        var aliceTu = new List<SipMessage>();
        var bobTu = new List<SipMessage>();
        InviteServerTransaction? bobInvite = null;

        void Perform(IEnumerable<TransactionAction> actions, Queue<byte[]> wire, List<SipMessage> tu)
        {
            foreach (var a in actions)
            {
                if (a.Kind == TransactionActionKind.Send)
                {
                    if (wire == toBob && dropNextToBob)
                    {
                        dropNextToBob = false;
                        continue;
                    }
                    wire.Enqueue(SipMessageWriter.ToArray(a.Message!));
                }
                else if (a.Kind == TransactionActionKind.DeliverToTu)
                {
                    tu.Add(a.Message!);
                }
            }
        }

        void Pump()
        {
            while (toBob.Count > 0 || toAlice.Count > 0)
            {
                if (toBob.TryDequeue(out var b))
                {
                    var parsed = SipParser.Parse(b);
                    Assert.True(parsed.IsSuccess);
                    var d = bob.ReceiveFromNetwork(parsed.Message, false, time.GetUtcNow());
                    if (d.Transaction is InviteServerTransaction ist) bobInvite = ist;
                    if (d.Kind == NetworkDispatchKind.UnmatchedAck) bobTu.Add(parsed.Message);
                    Perform(d.Actions, toAlice, bobTu);
                }
                if (toAlice.TryDequeue(out var a))
                {
                    var parsed = SipParser.Parse(a);
                    Assert.True(parsed.IsSuccess);
                    var d = alice.ReceiveFromNetwork(parsed.Message, false, time.GetUtcNow());
                    Perform(d.Actions, toBob, aliceTu);
                }
            }
        }

        var invite = SipMessageBuilder.Request(SipMethod.Invite, "sip:bob@192.0.2.20")
            .AddHeader("Via", SipVia.Format("UDP", "192.0.2.10", SipIds.NewBranch()))
            .AddHeader("Max-Forwards", "70")
            .AddHeader("To", "<sip:bob@example.com>")
            .AddHeader("From", $"<sip:alice@example.com>;tag={SipIds.NewTag()}")
            .AddHeader("Call-ID", SipIds.NewCallId("192.0.2.10"))
            .AddHeader("CSeq", "1 INVITE")
            .AddHeader("Contact", "<sip:alice@192.0.2.10>")
            .SetBody("v=0\r\n"u8.ToArray(), "application/sdp")
            .BuildRequest();
        Perform(alice.StartClient(invite, false, time.GetUtcNow()).Actions, toBob, aliceTu);
        Pump();
        Assert.Null(bobInvite);

        // Timer A brings the INVITE through.
        time.Advance(TimeSpan.FromMilliseconds(500));
        Perform(alice.Tick(time.GetUtcNow()), toBob, aliceTu);
        Pump();
        Assert.NotNull(bobInvite);
        Assert.Equal(100, ((SipResponse)aliceTu[0]).StatusCode);

        var ringing = SipMessageFactory.CreateResponse(bobInvite.Request!, 180, toTag: "bobtag").AddHeader("Contact", "<sip:bob@192.0.2.20>").BuildResponse();
        Perform(bob.SendResponse(bobInvite, ringing, time.GetUtcNow()), toAlice, bobTu);
        var ok = SipMessageFactory.CreateResponse(bobInvite.Request!, 200, toTag: "bobtag").AddHeader("Contact", "<sip:bob@192.0.2.20>").BuildResponse();
        var bobDialog = SipDialog.CreateAsUas(bobInvite.Request!, ok);
        Perform(bob.SendResponse(bobInvite, ok, time.GetUtcNow()), toAlice, bobTu);
        Pump();

        var answer = (SipResponse)aliceTu.Last();
        Assert.Equal(200, answer.StatusCode);
        Assert.True(SipDialog.TryCreateAsUac(invite, answer, out var aliceDialog));
        Assert.Equal(bobDialog.Id.CallId, aliceDialog.Id.CallId);
        Assert.Equal(bobDialog.Id.LocalTag, aliceDialog.Id.RemoteTag);

        // The ACK for the 2xx is the TU's, sent outside any client transaction.
        var ack = aliceDialog.CreateAck(answer, SipVia.Format("UDP", "192.0.2.10", SipIds.NewBranch())).BuildRequest();
        toBob.Enqueue(SipMessageWriter.ToArray(ack));
        Pump();
        Assert.Equal(SipMethod.Ack, ((SipRequest)bobTu.Last()).Method);

        var bye = aliceDialog.CreateRequest(SipMethod.Bye, SipVia.Format("UDP", "192.0.2.10", SipIds.NewBranch())).BuildRequest();
        Perform(alice.StartClient(bye, false, time.GetUtcNow()).Actions, toBob, aliceTu);
        Pump();
        var byeAtBob = (SipRequest)bobTu.Last();
        Assert.Equal(DialogRequestCheck.Accept, bobDialog.OnRequest(byeAtBob));
        Assert.Equal(SipDialogState.Terminated, bobDialog.State);
        var byeTx = (SipServerTransaction)bob.FindServer(TransactionKey.ForServer(byeAtBob))!;
        Perform(bob.SendResponse(byeTx, SipMessageFactory.CreateResponse(byeAtBob, 200).BuildResponse(), time.GetUtcNow()), toAlice, bobTu);
        Pump();
        Assert.Equal((200, "BYE"), (((SipResponse)aliceTu.Last()).StatusCode, aliceTu.Last().CSeq.Method.Name));

        // Everything winds down on its timers.
        for (var i = 0; i < 80; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Perform(alice.Tick(time.GetUtcNow()), toBob, aliceTu);
            Perform(bob.Tick(time.GetUtcNow()), toAlice, bobTu);
            Pump();
        }
        Assert.Equal((0, 0, 0, 0), (alice.ClientCount, alice.ServerCount, bob.ClientCount, bob.ServerCount));
    }
}
