using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// The SIP message parser (RFC 3261 section 7) on one datagram: a refusal is a <see cref="SipParseResult"/>
/// error; an accepted message must have hot headers that materialize, digest headers that parse or
/// refuse, and a canonical form that parses again to the same Call-ID and CSeq.
/// </summary>
public sealed class SipTarget : IFuzzTarget
{
    public const string TargetName = "sip";

    public string Name => TargetName;

    public void Run(ReadOnlySpan<byte> input)
    {
        var result = SipParser.Parse(input);
        if (!result.IsSuccess)
        {
            // The error answer is built from the same bytes: it must not throw either.
            _ = result.StatusCode;
            _ = result.ReasonPhrase;
            _ = result.TryCreateErrorResponse("fuzz", out _);
            return;
        }

        Touch(result.Message!);
    }

    /// <summary>Reads every lazily parsed part of an accepted message, as the transaction layer and the registrar do.</summary>
    internal static void Touch(SipMessage message)
    {
        foreach (var via in message.Vias)
        {
            _ = via.SentBy;
            _ = via.HasRfc3261Branch;
        }

        _ = message.From.Uri.HostPort;
        _ = message.To.Uri.HostPort;
        _ = message.CallId;
        _ = message.ContentType;
        _ = message.Contacts.Count;
        _ = message.Routes.Count;
        _ = message.RecordRoutes.Count;
        foreach (var header in message.Headers)
        {
            _ = header.ToString();
        }

        switch (message)
        {
            case SipRequest request:
                _ = request.RequestUri.HostPort;
                _ = request.TryGetDigestCredentials("fuzz.test", proxy: false, out _);
                _ = request.TryGetDigestCredentials("fuzz.test", proxy: true, out _);
                break;
            case SipResponse response:
                _ = response.GetDigestChallenges(proxy: false);
                _ = response.GetDigestChallenges(proxy: true);
                break;
        }

        var again = SipParser.Parse(SipMessageWriter.ToArray(message));
        if (!again.IsSuccess)
        {
            throw new FuzzInvariantException($"the canonical form of an accepted message is refused: {again.Error} {again.Detail}");
        }

        if (again.Message!.CallId != message.CallId || again.Message.CSeq != message.CSeq)
        {
            throw new FuzzInvariantException("the canonical form changed Call-ID or CSeq");
        }
    }
}
