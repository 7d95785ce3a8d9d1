using System.Text;

namespace Switchboard.Sip.Transport.Tests;

internal static class SipSamples
{
    public static string Options(string callId, string body = "") =>
        "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bK" + callId + "\r\n" +
        "From: <sip:alice@127.0.0.1>;tag=1\r\n" +
        "To: <sip:bob@127.0.0.1>\r\n" +
        "Call-ID: " + callId + "\r\n" +
        "CSeq: 1 OPTIONS\r\n" +
        "Content-Length: " + Encoding.UTF8.GetByteCount(body) + "\r\n\r\n" + body;

    public static string Ok(string callId) =>
        "SIP/2.0 200 OK\r\n" +
        "Via: SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bK" + callId + "\r\n" +
        "From: <sip:alice@127.0.0.1>;tag=1\r\n" +
        "To: <sip:bob@127.0.0.1>;tag=2\r\n" +
        "Call-ID: " + callId + "\r\n" +
        "CSeq: 1 OPTIONS\r\n" +
        "Content-Length: 0\r\n\r\n";

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
