using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.Server.Tests;

/// <summary>
/// phone.htm's SIP WebSocket, <c>/api/phone/sip</c> (docs/phone.md): authorised by the web login (a ticket or the
/// session cookie) instead of digest, from our own origin only, and bound to that one extension.
/// </summary>
public sealed class PhoneSocketTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private Uri SocketUri(string? ticket) =>
        new($"ws://{server.Host.HttpUrl.Authority}/api/phone/sip" + (ticket is null ? "" : "?ticket=" + Uri.EscapeDataString(ticket)));

    private async Task<(string Ticket, string? Cookie)> LoginAsync(string account, bool remember = false)
    {
        using var client = new HttpClient { BaseAddress = server.Host.HttpUrl };
        var login = await client.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account, password = ServerFixture.Password, remember });
        login.EnsureSuccessStatusCode();
        var cookie = login.Headers.TryGetValues("Set-Cookie", out var values) ? values.First().Split(';')[0] : null;
        return (JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("ticket").GetString()!, cookie);
    }

    private static ClientWebSocket NewSocket(string? origin = null, string? cookie = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("sip");
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        if (cookie is not null)
        {
            socket.Options.SetRequestHeader("Cookie", cookie);
        }

        return socket;
    }

    private static string Register(string number, string callId) =>
        $"REGISTER sip:demo.local SIP/2.0\r\n" +
        $"Via: SIP/2.0/WS abc.invalid;branch=z9hG4bK{Guid.NewGuid():N}\r\n" +
        "Max-Forwards: 70\r\n" +
        $"From: <sip:{number}@demo.local>;tag=t{callId}\r\n" +
        $"To: <sip:{number}@demo.local>\r\n" +
        $"Call-ID: {callId}\r\n" +
        "CSeq: 1 REGISTER\r\n" +
        "Contact: <sip:x@abc.invalid;transport=ws>;expires=300\r\n" +
        "Content-Length: 0\r\n\r\n";

    private static async Task<string> ExchangeAsync(ClientWebSocket socket, string request)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(request), WebSocketMessageType.Text, true, CancellationToken.None);
        return await ReceiveAsync(socket);
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var buffer = new byte[65536];
        var result = await socket.ReceiveAsync(buffer, cts.Token);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    [Fact]
    public async Task A_login_ticket_opens_the_socket_which_registers_its_own_extension_without_digest_and_no_other()
    {
        var (ticket, _) = await LoginAsync("100");
        using var socket = NewSocket(origin: server.Host.HttpUrl.GetLeftPart(UriPartial.Authority));
        await socket.ConnectAsync(SocketUri(ticket), CancellationToken.None);
        Assert.Equal("sip", socket.SubProtocol);

        var own = await ExchangeAsync(socket, Register("100", "own-" + Guid.NewGuid().ToString("N")));
        Assert.StartsWith("SIP/2.0 200", own, StringComparison.Ordinal);

        // Another extension's calls cannot be drawn here: its REGISTER is refused outright (no challenge to answer).
        var other = await ExchangeAsync(socket, Register("101", "other-" + Guid.NewGuid().ToString("N")));
        Assert.StartsWith("SIP/2.0 403", other, StringComparison.Ordinal);

        // The ticket was single use.
        using var again = NewSocket();
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => again.ConnectAsync(SocketUri(ticket), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, again.HttpStatusCode);
        Assert.NotNull(refused);
    }

    [Fact]
    public async Task Only_the_extensions_own_calls_ring_on_its_socket()
    {
        var (ticket, _) = await LoginAsync("100");
        using var socket = NewSocket();
        await socket.ConnectAsync(SocketUri(ticket), CancellationToken.None);
        Assert.StartsWith("SIP/2.0 200", await ExchangeAsync(socket, Register("100", "own-" + Guid.NewGuid().ToString("N"))), StringComparison.Ordinal);
        Assert.StartsWith("SIP/2.0 403", await ExchangeAsync(socket, Register("101", "other-" + Guid.NewGuid().ToString("N"))), StringComparison.Ordinal);

        // 100 calls 101 from the popup's socket: nothing of 101's is registered, so it is unavailable, and 100's phone socket hears nothing.
        var (callerTicket, _) = await LoginAsync("100");
        using (var call = new ClientWebSocket())
        {
            await call.ConnectAsync(new Uri($"ws://{server.Host.HttpUrl.Authority}/api/call?ticket={Uri.EscapeDataString(callerTicket)}"), CancellationToken.None);
            await call.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"call\",\"destnumber\":\"101\",\"sdp\":\"v=0\\r\\n\"}"), WebSocketMessageType.Text, true, CancellationToken.None);
            var end = "";
            while (!end.Contains("\"ended\"", StringComparison.Ordinal))
            {
                end = await ReceiveAsync(call);
            }

            Assert.Contains("unavailable", end, StringComparison.Ordinal);
        }

        // 101 calls 100: the INVITE reaches this socket.
        var (ticket101, _) = await LoginAsync("101");
        using var call100 = new ClientWebSocket();
        await call100.ConnectAsync(new Uri($"ws://{server.Host.HttpUrl.Authority}/api/call?ticket={Uri.EscapeDataString(ticket101)}"), CancellationToken.None);
        var offer = JsonSerializer.Serialize(new { type = "call", destnumber = "100", sdp = BrowserOffer });
        await call100.SendAsync(Encoding.UTF8.GetBytes(offer), WebSocketMessageType.Text, true, CancellationToken.None);
        var invite = await ReceiveAsync(socket);
        Assert.StartsWith("INVITE sip:x@abc.invalid", invite, StringComparison.Ordinal);
        Assert.Contains("101", invite.Split("\r\n").First(l => l.StartsWith("From:", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_remembered_session_cookie_opens_the_socket_and_a_foreign_origin_or_no_credential_is_refused()
    {
        var (_, cookie) = await LoginAsync("100", remember: true);
        Assert.NotNull(cookie);
        using (var socket = NewSocket(cookie: cookie))
        {
            await socket.ConnectAsync(SocketUri(null), CancellationToken.None);
            Assert.StartsWith("SIP/2.0 200", await ExchangeAsync(socket, Register("100", "cookie-" + Guid.NewGuid().ToString("N"))), StringComparison.Ordinal);
        }

        // Cross-site WebSocket hijacking: another site's page would carry the cookie too.
        using (var foreign = NewSocket(origin: "https://evil.example", cookie: cookie))
        {
            await Assert.ThrowsAsync<WebSocketException>(() => foreign.ConnectAsync(SocketUri(null), CancellationToken.None));
            Assert.Equal(HttpStatusCode.Forbidden, foreign.HttpStatusCode);
        }

        using var anonymous = NewSocket();
        await Assert.ThrowsAsync<WebSocketException>(() => anonymous.ConnectAsync(SocketUri(null), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.HttpStatusCode);
    }

    /// <summary>A browser's audio offer, as Chromium makes it (design/TEST-PEERS.md), enough for the PBX to ring with.</summary>
    private const string BrowserOffer =
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 0 126\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n" +
        "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=ice-options:trickle\r\n" +
        "a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\r\n" +
        "a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n" +
        "a=rtpmap:0 PCMU/8000\r\na=rtpmap:126 telephone-event/8000\r\n";
}
