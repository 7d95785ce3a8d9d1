using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.Server.Tests;

public sealed class CallSocketTests : IClassFixture<ServerFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly ServerFixture _server;

    public CallSocketTests(ServerFixture server) => _server = server;

    private Uri SocketUri(string? ticket) =>
        new($"ws://{_server.Host.HttpUrl.Authority}/api/call" + (ticket is null ? "" : "?ticket=" + ticket));

    private async Task<string> TicketAsync()
    {
        using var client = new HttpClient { BaseAddress = _server.Host.HttpUrl };
        var login = await client.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account = "100", password = ServerFixture.Password });
        return JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("ticket").GetString()!;
    }

    private static async Task<List<JsonElement>> ReadUntilClosedAsync(ClientWebSocket socket)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var messages = new List<JsonElement>();
        var buffer = new byte[65536];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return messages;
            }

            messages.Add(JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count)).RootElement.Clone());
        }
    }

    private static Task SendAsync(ClientWebSocket socket, object message) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, CancellationToken.None);

    [Theory]
    [InlineData("999", "not_found")]
    [InlineData("101", "unavailable")]
    public async Task A_call_is_routed_and_ends_with_its_reason_and_a_record(string destination, string reason)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(SocketUri(await TicketAsync()), CancellationToken.None);
        await SendAsync(socket, new { type = "call", destnumber = destination, sdp = "v=0\r\n" });

        var messages = await ReadUntilClosedAsync(socket);

        Assert.Equal("trying", messages[0].GetProperty("type").GetString());
        var callId = messages[0].GetProperty("callId").GetString();
        var ended = messages[^1];
        Assert.Equal("ended", ended.GetProperty("type").GetString());
        Assert.Equal(reason, ended.GetProperty("reason").GetString());
        // The end is told at once; the record follows with its writer's batch (group commit, docs/call-records.md).
        var record = await RecordAsync(callId!);
        Assert.Equal(reason, record.Reason);
        Assert.Equal("100@demo.local", record.From);
    }

    private async Task<Switchboard.Pbx.Calls.CallRecord> RecordAsync(string callId)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if ((await _server.Host.Admin.ListCallRecordsAsync()).SingleOrDefault(r => r.CallId == callId) is { } record)
            {
                return record;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"no record for call {callId} within 5 s");
    }

    [Fact]
    public async Task A_message_longer_than_the_first_read_is_read_whole_and_one_over_64_KB_closes_the_socket()
    {
        // The receive loop rents 4 KB for a message and grows it: a 20 KB offer arrives whole.
        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(SocketUri(await TicketAsync()), CancellationToken.None);
            await SendAsync(socket, new { type = "call", destnumber = "999", sdp = "v=0\r\n" + new string('x', 20_000) });
            var messages = await ReadUntilClosedAsync(socket);
            Assert.Equal("trying", messages[0].GetProperty("type").GetString());
            Assert.Equal("not_found", messages[^1].GetProperty("reason").GetString());
        }

        using var tooBig = new ClientWebSocket();
        await tooBig.ConnectAsync(SocketUri(await TicketAsync()), CancellationToken.None);
        await SendAsync(tooBig, new { type = "call", destnumber = "999", sdp = new string('x', 70_000) });
        await ReadUntilClosedAsync(tooBig);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, tooBig.CloseStatus);
    }

    [Fact]
    public async Task A_ticket_is_single_use_and_a_socket_without_one_is_unauthorized()
    {
        var ticket = await TicketAsync();
        using (var first = new ClientWebSocket())
        {
            await first.ConnectAsync(SocketUri(ticket), CancellationToken.None);
            await SendAsync(first, new { type = "ping" });
            using var cts = new CancellationTokenSource(Deadline);
            var buffer = new byte[1024];
            var reply = await first.ReceiveAsync(buffer, cts.Token);
            Assert.Contains("pong", Encoding.UTF8.GetString(buffer, 0, reply.Count), StringComparison.Ordinal);
        }

        using var second = new ClientWebSocket();
        await second.ConnectAsync(SocketUri(ticket), CancellationToken.None);
        var messages = await ReadUntilClosedAsync(second);
        Assert.Equal("unauthorized", Assert.Single(messages).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Trying_carries_a_resume_token_that_dies_with_its_call_and_a_forged_one_is_unauthorized()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(SocketUri(await TicketAsync()), CancellationToken.None);
        await SendAsync(socket, new { type = "call", destnumber = "999", sdp = "v=0\r\n" });
        var messages = await ReadUntilClosedAsync(socket);
        var token = messages[0].GetProperty("resume").GetString()!;
        Assert.Matches("^[A-Za-z0-9_-]{43}$", token);

        foreach (var attempt in new[] { token, token[..^1] + (token[^1] == 'A' ? 'B' : 'A') })
        {
            using var resumed = new ClientWebSocket();
            await resumed.ConnectAsync(new Uri($"ws://{_server.Host.HttpUrl.Authority}/api/call?resume={attempt}"), CancellationToken.None);
            var reply = await ReadUntilClosedAsync(resumed);
            Assert.Equal("unauthorized", Assert.Single(reply).GetProperty("reason").GetString());
        }
    }

    [Fact]
    public async Task A_foreign_origin_is_refused()
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "https://evil.example");
        var uri = SocketUri(await TicketAsync());
        var error = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, CancellationToken.None));
        Assert.Contains("403", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_link_ticket_may_call_only_its_destination()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var url = await _server.Host.Admin.MakeSignedLinkAsync(_server.Host.HttpUrl, "100@demo.local", "999", now, 600);
        using var client = new HttpClient { BaseAddress = _server.Host.HttpUrl };
        var reply = await SignedLinks.PostAsync(client, url);
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var ticket = JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement.GetProperty("ticket").GetString();

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(SocketUri(ticket), CancellationToken.None);
        await SendAsync(socket, new { type = "call", destnumber = "101", sdp = "v=0\r\n" });
        var messages = await ReadUntilClosedAsync(socket);
        Assert.Equal("not_permitted", messages[^1].GetProperty("reason").GetString());
    }
}
