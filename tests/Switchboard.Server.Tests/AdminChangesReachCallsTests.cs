using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Server.Hosting;

namespace Switchboard.Server.Tests;

/// <summary>
/// Issue 13: a change made in the admin portal reaches the running PBX without a restart. A phone (SIPp) places real
/// calls after each change through the admin API: a trunk and a dial rule let the call out to the carrier (SIPp
/// answering), a permission taken away refuses the next one, given back lets it out again, and a rule changed so that
/// it no longer matches makes the number unknown.
/// </summary>
public sealed class AdminChangesReachCallsTests : IDisposable
{
    private const string SipPassword = "sip-secret-13";
    private const string National = "0301234";
    private readonly TempDataFolder _data = new("sb-admin-live-");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Trunk_dial_rule_and_permission_changes_through_the_api_decide_the_next_call()
    {
        var carrierPort = ServerProcess.FreePort(SocketType.Dgram, ProtocolType.Udp).ToString(CultureInfo.InvariantCulture);
        using var carrier = SippPhone.Answer(carrierPort, _data.Path);
        await using var host = await PbxHost.StartAsync(TestHostOptions.For(_data.Path));
        await host.Admin.CreateDomainAsync("example.com");
        await host.Admin.CreateExtensionAsync("example.com", "100", "Admin", ServerFixture.Password, "sip-admin-13");
        await host.Admin.CreateExtensionAsync("example.com", "200", "Carol", ServerFixture.Password, SipPassword);
        await host.Admin.SetRoleAsync("example.com", "100", ExtensionRole.Admin);
        using var admin = await AdminClient.LogInAsync(host.HttpUrl, "100@example.com", ServerFixture.Password);

        // Nothing configured: the number does not exist for Carol.
        Assert.Equal(("not_found", "none"), await CallAsync(host, expectAnswer: false));

        await admin.ExpectAsync(HttpStatusCode.Created, "POST", "api/admin/trunks",
            new { name = "carrier", proxy = "127.0.0.1:" + carrierPort, username = "pbx", password = "carrier-pw", register = false });
        var rule = await admin.ExpectAsync(HttpStatusCode.Created, "POST", "api/admin/dialrules", new { pattern = "0.", trunk = "carrier", strip = 1, prefix = "+49" });
        Assert.Equal(("hangup", "trunk:carrier"), await CallAsync(host, expectAnswer: true));

        await admin.ExpectAsync(HttpStatusCode.OK, "PUT", "api/admin/permissions/example.com/200", new { allow = new List<string> { "tollfree" } });
        Assert.Equal(("not_permitted", "denied"), await CallAsync(host, expectAnswer: false));

        await admin.ExpectAsync(HttpStatusCode.NoContent, "DELETE", "api/admin/permissions/example.com/200");
        Assert.Equal(("hangup", "trunk:carrier"), await CallAsync(host, expectAnswer: true));

        await admin.ExpectAsync(HttpStatusCode.OK, "PUT", "api/admin/dialrules/example.com/" + rule.GetProperty("id").GetInt64(),
            new { pattern = "9.", trunk = "carrier" });
        Assert.Equal(("not_found", "none"), await CallAsync(host, expectAnswer: false));
    }

    /// <summary>Carol dials the national number once; the reason and route of that call's record.</summary>
    private async Task<(string Reason, string Route)> CallAsync(PbxHost host, bool expectAnswer)
    {
        var before = (await host.Admin.ListCallRecordsAsync()).Count;
        var call = await SippCaller.CallAsync(host.SipUdpPort!.Value, National, SipPassword, 1, _data.Path);
        Assert.True((call.ExitCode == 0) == expectAnswer, $"SIPp exited {call.ExitCode}: {call.Output}");
        var record = await NextRecordAsync(host, before);
        return (record.Reason, record.Route);
    }

    /// <summary>The record after the first <paramref name="before"/>, once its batch has committed (the caller hears the end first).</summary>
    private static async Task<CallRecord> NextRecordAsync(PbxHost host, int before)
    {
        for (var i = 0; i < 100; i++)
        {
            var records = await host.Admin.ListCallRecordsAsync();
            if (records.Count > before)
            {
                return records.OrderByDescending(r => r.StartedAt).First();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException("The call's record was not written within 10 s.");
    }
}
