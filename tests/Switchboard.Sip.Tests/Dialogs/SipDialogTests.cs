using Switchboard.Sip.Dialogs;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Tests.Dialogs;

public class SipDialogTests
{
    private static SipRequest Invite(params string[] recordRoutes)
    {
        var b = SipMessageBuilder.Request(SipMethod.Invite, "sip:bob@biloxi.example.com")
            .AddHeader("Via", "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8")
            .AddHeader("Max-Forwards", "70")
            .AddHeader("To", "Bob <sip:bob@biloxi.example.com>")
            .AddHeader("From", "Alice <sip:alice@atlanta.example.com>;tag=1928301774")
            .AddHeader("Call-ID", "a84b4c76e66710@pc33.atlanta.example.com")
            .AddHeader("CSeq", "314159 INVITE")
            .AddHeader("Contact", "<sip:alice@pc33.atlanta.example.com>");
        foreach (var rr in recordRoutes) b.AddHeader("Record-Route", rr);
        return b.BuildRequest();
    }

    private static SipResponse Answer(SipRequest invite, int status, string contact = "<sip:bob@192.0.2.4>") =>
        SipMessageFactory.CreateResponse(invite, status, toTag: "a6c85cf").AddHeader("Contact", contact).BuildResponse();

    [Fact]
    public void Uac_dialog_from_2xx_reverses_record_route_and_builds_bye_and_ack()
    {
        var invite = Invite("<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>");
        var ok = Answer(invite, 200);
        Assert.True(SipDialog.TryCreateAsUac(invite, ok, out var dialog));
        Assert.Equal(new SipDialogId("a84b4c76e66710@pc33.atlanta.example.com", "1928301774", "a6c85cf"), dialog.Id);
        Assert.Equal(SipDialogState.Confirmed, dialog.State);
        Assert.Equal("sip:bob@192.0.2.4", dialog.RemoteTarget.ToString());
        Assert.Equal(["sip:p1.example.com;lr", "sip:p2.example.com;lr"], dialog.RouteSet.Select(r => r.Uri.ToString()));

        var ack = dialog.CreateAck(ok, "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKack1").BuildRequest();
        Assert.Equal(new SipCSeq(314159, SipMethod.Ack), ack.CSeq);
        Assert.Equal("sip:bob@192.0.2.4", ack.RequestUri.ToString());
        Assert.Equal(2, ack.Routes.Count);

        var bye = dialog.CreateRequest(SipMethod.Bye, "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKbye1").BuildRequest();
        Assert.Equal(new SipCSeq(314160, SipMethod.Bye), bye.CSeq);
        Assert.Equal("a6c85cf", bye.To.Tag);
        Assert.Equal("1928301774", bye.From.Tag);
        Assert.Equal("sip:p1.example.com;lr", bye.Routes[0].Uri.ToString());
        Assert.Equal("sip:bob@192.0.2.4", bye.RequestUri.ToString());
        var info = dialog.CreateRequest(SipMethod.Info, "SIP/2.0/UDP h;branch=z9hG4bKinfo1")
            .SetBody("Signal=5\r\nDuration=160\r\n"u8.ToArray(), "application/dtmf-relay").BuildRequest();
        Assert.Equal(314161u, info.CSeq.Number);
        Assert.Equal("application/dtmf-relay", info.ContentType);
    }

    [Fact]
    public void Early_dialog_from_18x_is_confirmed_by_2xx_and_route_set_recomputed()
    {
        var invite = Invite("<sip:p1.example.com;lr>");
        Assert.True(SipDialog.TryCreateAsUac(invite, Answer(invite, 180), out var dialog));
        Assert.Equal(SipDialogState.Early, dialog.State);
        var ok = SipMessageFactory.CreateResponse(Invite("<sip:p9.example.com;lr>"), 200, toTag: "a6c85cf").AddHeader("Contact", "<sip:bob@192.0.2.9>").BuildResponse();
        dialog.OnResponse(ok);
        Assert.Equal(SipDialogState.Confirmed, dialog.State);
        Assert.Equal("sip:p9.example.com;lr", Assert.Single(dialog.RouteSet).Uri.ToString());
        Assert.Equal("sip:bob@192.0.2.9", dialog.RemoteTarget.ToString());
        Assert.False(SipDialog.TryCreateAsUac(invite, Answer(invite, 100), out _));
    }

    [Fact]
    public void Strict_router_becomes_the_request_uri()
    {
        var invite = Invite("<sip:strict.example.com>");
        Assert.True(SipDialog.TryCreateAsUac(invite, Answer(invite, 200), out var dialog));
        var bye = dialog.CreateRequest(SipMethod.Bye, "SIP/2.0/UDP h;branch=z9hG4bKs1").BuildRequest();
        Assert.Equal("sip:strict.example.com", bye.RequestUri.ToString());
        Assert.Equal("sip:bob@192.0.2.4", Assert.Single(bye.Routes).Uri.ToString());
    }

    [Fact]
    public void Uas_dialog_keeps_record_route_order_checks_cseq_and_follows_target_refresh()
    {
        var invite = Invite("<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>");
        var ok = Answer(invite, 200);
        var dialog = SipDialog.CreateAsUas(invite, ok);
        Assert.Equal(new SipDialogId(invite.CallId, "a6c85cf", "1928301774"), dialog.Id);
        Assert.Equal(["sip:p2.example.com;lr", "sip:p1.example.com;lr"], dialog.RouteSet.Select(r => r.Uri.ToString()));
        Assert.Equal("sip:alice@pc33.atlanta.example.com", dialog.RemoteTarget.ToString());

        var bye = dialog.CreateRequest(SipMethod.Bye, "SIP/2.0/UDP biloxi;branch=z9hG4bKb1").BuildRequest();
        Assert.Equal("Alice <sip:alice@atlanta.example.com>;tag=1928301774", bye.GetHeaderValue("To"));
        Assert.Equal("a6c85cf", bye.From.Tag);

        SipRequest InDialog(SipMethod m, uint cseq, string contact) => SipMessageBuilder.Request(m, "sip:bob@192.0.2.4")
            .AddHeader("Via", $"SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK{cseq}")
            .AddHeader("To", "Bob <sip:bob@biloxi.example.com>;tag=a6c85cf")
            .AddHeader("From", "Alice <sip:alice@atlanta.example.com>;tag=1928301774")
            .AddHeader("Call-ID", invite.CallId)
            .AddHeader("CSeq", $"{cseq} {m.Name}")
            .AddHeader("Contact", contact)
            .BuildRequest();

        var reinvite = InDialog(SipMethod.Invite, 314160, "<sip:alice@198.51.100.7>");
        Assert.Equal(dialog.Id, SipDialogId.ForIncoming(reinvite));
        Assert.Equal(DialogRequestCheck.Accept, dialog.OnRequest(reinvite));
        Assert.Equal("sip:alice@198.51.100.7", dialog.RemoteTarget.ToString());
        Assert.Equal(DialogRequestCheck.OutOfOrder, dialog.OnRequest(InDialog(SipMethod.Info, 314150, "<sip:x@y>")));
        Assert.Equal(DialogRequestCheck.Accept, dialog.OnRequest(InDialog(SipMethod.Bye, 314161, "<sip:x@y>")));
        Assert.Equal(SipDialogState.Terminated, dialog.State);
    }
}
