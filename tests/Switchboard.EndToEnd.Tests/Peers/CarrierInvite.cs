namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>What the carrier did with an INVITE.</summary>
public enum CarrierOutcome
{
    /// <summary>No valid credentials: answered 407 (a UA normally sends the INVITE again, authenticated).</summary>
    Challenged,

    /// <summary>Authenticated, but nobody is registered for the number: answered 404.</summary>
    NotFound,

    /// <summary>Authenticated and sent on to the registered contact (<see cref="CarrierInvite.Target"/>).</summary>
    Relayed,
}

/// <summary>
/// One initial INVITE as Kamailio logged it at its outcome (retransmissions are not logged twice; an
/// INVITE answered 407 and sent again with credentials appears twice, with two CSeqs).
/// </summary>
/// <param name="RequestUri">The request-URI as received, e.g. <c>sip:4930123456@carrier.test</c>.</param>
/// <param name="Target">The request-URI it was relayed with (the contact, the DID kept as user); null unless relayed.</param>
/// <param name="AuthUser">The digest user that authenticated it; null when challenged.</param>
/// <param name="PAssertedIdentity">The P-Asserted-Identity header's value, or null.</param>
public sealed record CarrierInvite(
    CarrierOutcome Outcome,
    string CallId,
    string? FromUser,
    string? ToUser,
    string RequestUri,
    string? Target,
    string? AuthUser,
    string? PAssertedIdentity)
{
    /// <summary>The dialled number: the request-URI's user part as received (before any lookup).</summary>
    public string? RequestUser =>
        RequestUri.IndexOf('@', StringComparison.Ordinal) is var at and > 4 && RequestUri.StartsWith("sip:", StringComparison.Ordinal)
            ? RequestUri[4..at]
            : null;

    /// <summary>
    /// Parses a log line holding <c>CARRIER|INVITE|outcome|callid|from|to|ruri|target|auth|pai</c>
    /// (Kamailio prints <c>&lt;null&gt;</c> for absent values; the PAI comes last, so it may hold anything).
    /// </summary>
    public static bool TryParse(string line, out CarrierInvite? invite)
    {
        ArgumentNullException.ThrowIfNull(line);
        invite = null;
        var start = line.IndexOf(KamailioConfig.InviteTag, StringComparison.Ordinal);
        if (start < 0) return false;
        var fields = line[(start + KamailioConfig.InviteTag.Length)..].Split('|', 8);
        if (fields.Length != 8 || OutcomeOf(fields[0]) is not { } outcome) return false;
        invite = new CarrierInvite(
            outcome,
            fields[1],
            Value(fields[2]),
            Value(fields[3]),
            fields[4],
            outcome == CarrierOutcome.Relayed ? Value(fields[5]) : null,
            Value(fields[6]),
            Value(fields[7]));
        return true;
    }

    private static CarrierOutcome? OutcomeOf(string text) => text switch
    {
        "challenged" => CarrierOutcome.Challenged,
        "not-found" => CarrierOutcome.NotFound,
        "relayed" => CarrierOutcome.Relayed,
        _ => null,
    };

    private static string? Value(string text) => text is "<null>" or "" ? null : text.TrimEnd();
}
