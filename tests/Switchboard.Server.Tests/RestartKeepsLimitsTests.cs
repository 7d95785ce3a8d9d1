using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Trunks;
using Switchboard.Server.Hosting;
using Switchboard.Sip.Transport;

namespace Switchboard.Server.Tests;

/// <summary>
/// Issue 14, part 5: a PBX stopped and started again on the same data folder keeps a lockout in force and a spent
/// calls-per-minute budget spent (docs/security.md, "Rate limits and lockouts").
/// </summary>
public sealed class RestartKeepsLimitsTests : IDisposable
{
    private const string WebPassword = "web-secret-7";
    private const string SipPassword = "sip-secret-7";
    private readonly TempDataFolder _data = new("sb-restart-");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_locked_out_account_is_still_locked_out_after_a_restart()
    {
        await using (var host = await StartAsync())
        {
            await host.Admin.CreateDomainAsync("example.com");
            await host.Admin.CreateExtensionAsync("example.com", "200", "Carol", WebPassword, SipPassword);
            await host.Admin.CreateExtensionAsync("example.com", "201", "Dan", WebPassword, SipPassword);
            using var client = Client(host);
            for (var i = 0; i < 3; i++)
            {
                await LoginAsync(client, "200@example.com", "wrong");
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(client, "200@example.com", WebPassword)).StatusCode);
        }

        await using (var restarted = await StartAsync())
        {
            using var client = Client(restarted);
            var locked = await LoginAsync(client, "200@example.com", WebPassword);
            Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
            var retryAfter = (await locked.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("retryAfter").GetInt32();
            Assert.InRange(retryAfter, 1, 15 * 60);
            Assert.Equal(HttpStatusCode.OK, (await LoginAsync(client, "201@example.com", WebPassword)).StatusCode);
        }
    }

    [Fact]
    public async Task A_spent_calls_per_minute_budget_is_still_spent_after_a_restart()
    {
        var carrierPort = ServerProcess.FreePort(SocketType.Dgram, ProtocolType.Udp);
        using var carrier = SippPhone.Answer(carrierPort.ToString(CultureInfo.InvariantCulture), _data.Path);
        await using (var host = await StartAsync())
        {
            await host.Admin.CreateDomainAsync("example.com");
            await host.Admin.CreateExtensionAsync("example.com", "200", "Carol", WebPassword, SipPassword);
            var policy = host.Services.GetRequiredService<IPolicyStore>();
            await policy.SetLimitsAsync("example.com", "200", new CallLimits(null, 1));
            Assert.True(DialRule.TryCreate("0.", "carrier", 1, "+49", out var rule, out _));
            await policy.AddDialRuleAsync("example.com", null, null, rule);
            await host.Admin.AddTrunkAsync(new Trunk(0, "example.com", "carrier", $"127.0.0.1:{carrierPort}", SipTransportKind.Udp, "pbx", false, 0), "carrier-pw");

            var call = await SippCaller.CallAsync(host.SipUdpPort!.Value, "0301234", SipPassword, 1, _data.Path);
            Assert.True(call.ExitCode == 0, $"SIPp: {call.Output}");
            Assert.Equal("trunk:carrier", (await RecordAsync(host)).Route);
            Assert.IsType<Route.NotPermitted>(await ResolveAsync(host));
        }

        await using (var restarted = await StartAsync())
        {
            Assert.IsType<Route.NotPermitted>(await ResolveAsync(restarted));
        }
    }

    private Task<PbxHost> StartAsync() => PbxHost.StartAsync(TestHostOptions.For(_data.Path));

    /// <summary>What the dial plan answers 200@example.com dialling the national number now: the trunk, or refused.</summary>
    private static async Task<Route> ResolveAsync(PbxHost host)
    {
        var caller = (await host.Services.GetRequiredService<IDirectoryStore>().FindExtensionAsync("example.com", "200"))!;
        return await host.Services.GetRequiredService<DialPlan>().ResolveAsync(caller, "0301234", CallOrigin.Sip, null);
    }

    /// <summary>The one call's record, once its batch has committed (the caller hears the end first).</summary>
    private static async Task<Pbx.Calls.CallRecord> RecordAsync(PbxHost host)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await host.Admin.ListCallRecordsAsync() is [var record])
            {
                return record;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException("The trunk call's record was not written within 10 s.");
    }

    private static HttpClient Client(PbxHost host) => new() { BaseAddress = host.HttpUrl };

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string account, string password) =>
        client.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account, password });
}
