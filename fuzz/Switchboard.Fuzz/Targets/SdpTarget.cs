using System.Net;
using System.Text;
using Switchboard.Media.Sdp;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// The SDP parser (RFC 8866) and what consumes an offer: a refusal is TryParse returning false; an
/// accepted description goes through the WebRTC offer check, the SIP answer (RFC 3264) and the hold
/// reading, and its written form must parse again.
/// </summary>
public sealed class SdpTarget : IFuzzTarget
{
    public const string TargetName = "sdp";

    private static readonly SdpCodec[] Codecs = [SdpCodec.Opus, SdpCodec.Pcmu, SdpCodec.Pcma];
    private static readonly SipAnswerOptions SipAnswer = new() { Address = IPAddress.Loopback, Port = 40_000 };

    public string Name => TargetName;

    public void Run(ReadOnlySpan<byte> input)
    {
        if (!SdpParser.TryParse(Encoding.UTF8.GetString(input), out var offer, out _))
        {
            return;
        }

        _ = WebRtcAnswer.Validate(offer, Codecs);
        _ = SipSdp.GetHoldState(offer);
        foreach (var media in offer.Media)
        {
            _ = SdpFormats.GetFormats(media);
        }

        if (SipSdp.TryCreateAnswer(offer, SipAnswer, out var answer, out _))
        {
            _ = answer.ToText();
            _ = SipMediaSdp.TryReadOffer(offer, answer, out _);
        }

        var written = SdpWriter.Write(offer);
        if (!SdpParser.TryParse(written, out _, out var error))
        {
            throw new FuzzInvariantException($"the written form of an accepted description is refused: {error}");
        }
    }
}
