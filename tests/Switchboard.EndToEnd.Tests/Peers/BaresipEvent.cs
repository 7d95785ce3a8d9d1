using System.Globalization;
using System.Text.Json;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// One event from baresip's control socket, e.g.
/// <c>{"event":true,"type":"CALL_CLOSED","class":"call","accountaor":"sip:a@127.0.0.1","direction":"outgoing","peeruri":"sip:b@...","id":"602a...","param":"486 Rejected"}</c>.
/// </summary>
public sealed record BaresipEvent(string Type, string? Direction, string? PeerUri, string? CallId, string? Param, JsonElement Raw)
{
    public const string RegisterOk = "REGISTER_OK";
    public const string RegisterFail = "REGISTER_FAIL";
    /// <summary>Only in answer mode manual: an auto-answering agent goes straight to CALL_ESTABLISHED.</summary>
    public const string CallIncoming = "CALL_INCOMING";
    public const string CallRinging = "CALL_RINGING";
    public const string CallEstablished = "CALL_ESTABLISHED";
    public const string CallClosed = "CALL_CLOSED";
    public const string CallDtmfStart = "CALL_DTMF_START";
    public const string CallDtmfEnd = "CALL_DTMF_END";

    /// <summary>
    /// The SIP status a CALL_CLOSED or REGISTER_FAIL param starts with ("486 Rejected" gives 486);
    /// null for reasons that are not a status ("Connection reset by peer" after a BYE).
    /// </summary>
    public int? StatusCode =>
        Param is { Length: >= 3 } p && int.TryParse(p.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            && (p.Length == 3 || p[3] == ' ')
            ? code
            : null;

    public static BaresipEvent FromJson(JsonElement e) => new(
        e.GetProperty("type").GetString() ?? "",
        Text(e, "direction"),
        Text(e, "peeruri"),
        Text(e, "id"),
        Text(e, "param"),
        e);

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public override string ToString() => $"{Type} {Direction} {Param}";
}
