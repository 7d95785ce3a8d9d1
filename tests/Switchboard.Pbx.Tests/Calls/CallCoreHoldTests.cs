using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Sdp;
using Switchboard.Pbx.Calls;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>
/// Signalled hold (RFC 3264 section 8.4) in an answered call between two parties: a browser softphone's re-offer is
/// answered by its own session, a phone's by our RTP terms, and the other party hears the hold music meanwhile.
/// </summary>
public sealed class CallCoreHoldTests
{
    private static readonly TimeSpan At = TimeSpan.FromSeconds(30);

    private static CallCore Answered() => CallCoreTransferTests.Answered();

    private static CallInput.Request WebReinvite(CallSide side, string sdp) =>
        new(side, CallCoreTests.Request("INVITE", "application/sdp", sdp), InDialog: true, null, CallPeers.None, WebEnd: true);

    [Fact]
    public void A_browsers_reinvite_goes_to_its_own_session_to_answer()
    {
        var step = Answered().Handle(WebReinvite(CallSide.Callee, "v=0\r\n"), At);

        Assert.Equal<CallOutput>([new CallOutput.AnswerWebReoffer(CallSide.Callee, "v=0\r\n")], step.Outputs);
    }

    [Fact]
    public void A_browsers_sendonly_is_answered_and_the_other_party_hears_hold_music_until_sendrecv()
    {
        var core = Answered();

        var hold = core.Handle(new CallInput.WebReofferAnswered(CallSide.Callee, "answer-recvonly", SdpDirection.SendOnly), At);
        Assert.Equal<CallOutput>([new CallOutput.Respond(200, "answer-recvonly"), new CallOutput.HoldMusic(CallSide.Caller, Play: true)], hold.Outputs);

        // The same direction again (a refreshed offer) changes nothing more.
        var again = core.Handle(new CallInput.WebReofferAnswered(CallSide.Callee, "answer-recvonly", SdpDirection.SendOnly), At);
        Assert.Equal<CallOutput>([new CallOutput.Respond(200, "answer-recvonly")], again.Outputs);

        var resume = core.Handle(new CallInput.WebReofferAnswered(CallSide.Callee, "answer-sendrecv", SdpDirection.SendRecv), At);
        Assert.Equal<CallOutput>([new CallOutput.Respond(200, "answer-sendrecv"), new CallOutput.HoldMusic(CallSide.Caller, Play: false)], resume.Outputs);
    }

    [Fact]
    public void A_browsers_reoffer_its_session_refuses_gets_488_and_nothing_changes()
    {
        var core = Answered();

        var refused = core.Handle(new CallInput.WebReofferAnswered(CallSide.Caller, null, SdpDirection.SendOnly), At);

        Assert.Equal<CallOutput>([new CallOutput.Respond(488)], refused.Outputs);
        Assert.False(core.IsHeld(CallSide.Caller));
    }

    [Theory]
    [InlineData("a=sendonly")]
    [InlineData("a=inactive")]
    public void A_phones_hold_gives_the_other_party_the_music_and_its_resume_takes_it_away(string direction)
    {
        var core = Answered();

        var hold = core.Handle(PhoneReinvite(CallSide.Caller, direction), At);
        Assert.Equal(new CallOutput.HoldMusic(CallSide.Callee, Play: true), hold.Outputs[^1]);
        Assert.Equal(200, Assert.IsType<CallOutput.Respond>(hold.Outputs[^2]).Status);

        var resume = core.Handle(PhoneReinvite(CallSide.Caller, "a=sendrecv"), At);
        Assert.Equal(new CallOutput.HoldMusic(CallSide.Callee, Play: false), resume.Outputs[^1]);
    }

    [Fact]
    public void A_hold_before_anyone_answered_plays_no_music()
    {
        var core = new CallCore("test", NullLogger.Instance);

        var hold = core.Handle(PhoneReinvite(CallSide.Caller, "a=sendonly"), At);

        Assert.DoesNotContain(hold.Outputs, o => o is CallOutput.HoldMusic);
        Assert.True(core.IsHeld(CallSide.Caller));
    }

    internal static CallInput.Request PhoneReinvite(CallSide side, string direction)
    {
        var sdp =
            "v=0\r\no=phone 1 2 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n" +
            "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" + direction + "\r\n";
        return new CallInput.Request(side, CallCoreTests.Request("INVITE", "application/sdp", sdp), InDialog: true, CallCoreTests.OurPhoneEnd, CallPeers.None);
    }
}
