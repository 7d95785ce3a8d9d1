using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Routing;
using Switchboard.Server.Hosting;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Server.Tests;

/// <summary>
/// Issue 12, part 2, with real engines: two PBX nodes on one PostgreSQL database and one Redis (both throwaway servers
/// the tests start on loopback) share their lockouts and their call limits, so neither can be used to get around the other.
/// </summary>
public sealed class SharedRedisTests : IDisposable
{
    private const string WebPassword = "web-secret-7";
    private const string SipPassword = "sip-secret-7";
    private readonly TempDataFolder _nodeA = new("sb-redis-a-");
    private readonly TempDataFolder _nodeB = new("sb-redis-b-");

    public void Dispose()
    {
        _nodeA.Dispose();
        _nodeB.Dispose();
    }

    [Fact]
    public async Task Wrong_passwords_spread_over_both_nodes_lock_the_account_on_both()
    {
        var domain = await PrepareAsync("lock");
        await using var a = await StartAsync(_nodeA);
        await using var b = await StartAsync(_nodeB);
        using var toA = new HttpClient { BaseAddress = a.HttpUrl };
        using var toB = new HttpClient { BaseAddress = b.HttpUrl };
        var account = "200@" + domain;

        // The limit is three; no node sees more than two of them.
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(toA, account, "wrong-1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(toB, account, "wrong-2")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(toA, account, "wrong-3")).StatusCode);

        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(toB, account, WebPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(toA, account, WebPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(toB, "201@" + domain, WebPassword)).StatusCode);
    }

    [Fact]
    public async Task A_concurrent_call_limit_of_one_holds_across_both_nodes()
    {
        var domain = await PrepareAsync("limit");
        await using var a = await StartAsync(_nodeA);
        await using var b = await StartAsync(_nodeB);
        await a.Services.GetRequiredService<IPolicyStore>().SetLimitsAsync(domain, "200", new CallLimits(1, null));
        Assert.True(DialRule.TryCreate("0.", "carrier", 1, "+49", out var rule, out _));
        await a.Services.GetRequiredService<IPolicyStore>().AddDialRuleAsync(domain, null, null, rule);

        // Both nodes' policies race for the one place, as two calls arriving at once would.
        var route = Assert.IsType<Route.ToTrunk>(await ResolveAsync(b, domain));
        var caller = (await a.Services.GetRequiredService<IDirectoryStore>().FindExtensionAsync(domain, "200"))!;
        var decisions = await Task.WhenAll(
            a.Services.GetRequiredService<CallPolicy>().TryAcquireAsync(caller, route),
            b.Services.GetRequiredService<CallPolicy>().TryAcquireAsync(caller, route));
        var winner = Array.FindIndex(decisions, d => d.Allowed);
        Assert.True(winner >= 0, "one of the two calls must get the place");
        Assert.Equal(PolicyDenial.ExtensionConcurrent, decisions[1 - winner].Denial);

        // While it is up, either node's dial plan refuses a third; once it ends, the place is free again on both.
        Assert.IsType<Route.NotPermitted>(await ResolveAsync(a, domain));
        Assert.IsType<Route.NotPermitted>(await ResolveAsync(b, domain));
        decisions[winner].Lease!.Dispose();
        await UntilAsync(async () => await ResolveAsync(winner == 0 ? b : a, domain) is Route.ToTrunk);
    }

    [Fact]
    public async Task A_popup_that_logged_in_through_one_node_opens_its_call_socket_on_the_other_once()
    {
        var domain = await PrepareAsync("ticket");
        await using var a = await StartAsync(_nodeA);
        await using var b = await StartAsync(_nodeB);
        using var toA = new HttpClient { BaseAddress = a.HttpUrl };
        var login = await LoginAsync(toA, "200@" + domain, WebPassword);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var ticket = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ticket").GetString()!;
        var onB = new Uri($"ws://{b.HttpUrl.Authority}/api/call?ticket={Uri.EscapeDataString(ticket)}");

        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(onB, CancellationToken.None);
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"ping\"}"), WebSocketMessageType.Text, true, CancellationToken.None);
            Assert.Contains("pong", await ReceiveAsync(socket), StringComparison.Ordinal);
        }

        // Used once, through B: node A does not know it any more either.
        using var again = new ClientWebSocket();
        await again.ConnectAsync(new Uri($"ws://{a.HttpUrl.Authority}/api/call?ticket={Uri.EscapeDataString(ticket)}"), CancellationToken.None);
        Assert.Contains("unauthorized", await ReceiveAsync(again), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_on_one_node_sees_a_call_held_by_the_other_and_hangs_it_up()
    {
        // SIPp's calls come from 200@example.com, so the database gets that domain, with 100 as its admin.
        await PrepareAsync("live", "example.com");
        await using var a = await StartAsync(_nodeA);
        await using var b = await StartAsync(_nodeB);
        var onA = a.Services.GetRequiredService<CallEngine>();
        using var sipp = SippCaller.StartHeld(a.SipUdpPort!.Value, "*43", SipPassword, 1, TimeSpan.FromSeconds(60), _nodeA.Path);
        try
        {
            await UntilAsync(() => Task.FromResult(onA.LiveCalls(null).Count == 1));
            var callId = onA.LiveCalls(null)[0].CallId;
            using var admin = await AdminClient.LogInAsync(b.HttpUrl, "100@example.com", WebPassword);

            // Node B lists A's call, marked as A's, within the sharing interval.
            JsonElement listed = default;
            await UntilAsync(async () =>
            {
                var calls = (await admin.ExpectAsync(HttpStatusCode.OK, "GET", "api/admin/live")).GetProperty("calls");
                listed = calls.EnumerateArray().FirstOrDefault(c => c.GetProperty("callId").GetString() == callId);
                return listed.ValueKind == JsonValueKind.Object;
            });
            Assert.Equal(a.Services.GetRequiredService<ISharedLiveCalls>().Node, listed.GetProperty("node").GetString());
            Assert.Equal("service:echo", listed.GetProperty("route").GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync("POST", "api/admin/live/no-such-call/hangup")).StatusCode);

            // The hang-up made on B ends the call on A, as an admin's.
            await admin.ExpectAsync(HttpStatusCode.Accepted, "POST", $"api/admin/live/{Uri.EscapeDataString(callId)}/hangup");
            await UntilAsync(() => Task.FromResult(onA.LiveCalls(null).Count == 0));
            var records = a.Services.GetRequiredService<ICallRecordStore>();
            CallRecord? record = null;
            await UntilAsync(async () =>
            {
                var found = await records.QueryAsync(new CallRecordQuery { Domain = "example.com" });
                record = found.Count > 0 ? found[0] : null;
                return record is not null;
            });
            Assert.Equal("admin_hangup", record!.Reason);
        }
        finally
        {
            if (!sipp.HasExited)
            {
                sipp.Kill();
            }
        }
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var reply = await socket.ReceiveAsync(buffer, bound.Token);
        return Encoding.UTF8.GetString(buffer, 0, reply.Count);
    }

    /// <summary>A fresh database with a domain of its own (the Redis is shared by the run), and node B's copy of the secrets key.</summary>
    private async Task<string> PrepareAsync(string name, string? domainName = null)
    {
        _store = await PostgresCluster.CreateDatabaseAsync("sb_redis_" + name);
        _redis = (await RedisServer.SharedAsync()).Configuration;
        var domain = domainName ?? $"{name}-{Guid.NewGuid():N}.example";
        using (var data = await DataFolder.OpenAsync(_nodeA.Path, _store))
        {
            await using var directory = data.Directory(TimeProvider.System);
            await directory.CreateDomainAsync(domain);
            await directory.CreateExtensionAsync(new NewExtension(domain, "200", "Carol", WebPassword, SipPassword));
            await directory.CreateExtensionAsync(new NewExtension(domain, "201", "Dan", WebPassword, SipPassword));
            await directory.CreateExtensionAsync(new NewExtension(domain, "100", "Admin", WebPassword, SipPassword));
            await directory.SetRoleAsync(domain, "100", ExtensionRole.Admin);
        }

        File.Copy(Path.Combine(_nodeA.Path, "secrets.key"), Path.Combine(_nodeB.Path, "secrets.key"));
        return domain;
    }

    private string? _store;
    private string? _redis;

    private Task<PbxHost> StartAsync(TempDataFolder folder) =>
        PbxHost.StartAsync(TestHostOptions.For(folder.Path) with { Store = _store, Redis = _redis });

    private static async Task<Route> ResolveAsync(PbxHost host, string domain)
    {
        var caller = (await host.Services.GetRequiredService<IDirectoryStore>().FindExtensionAsync(domain, "200"))!;
        return await host.Services.GetRequiredService<DialPlan>().ResolveAsync(caller, "0301234", CallOrigin.Sip, null);
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string account, string password) =>
        client.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account, password });

    /// <summary>The release is sent without waiting: the other node sees the free place a moment later (bounded).</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not within 5 s");
            await Task.Delay(20);
        }
    }
}
