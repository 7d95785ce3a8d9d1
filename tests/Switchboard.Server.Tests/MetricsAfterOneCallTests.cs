using System.Net;
using System.Net.Http.Json;
using Switchboard.Server.Hosting;

namespace Switchboard.Server.Tests;

/// <summary>
/// /metrics against a real server (docs/configuration.md, "Metrics"): one SIP call moves each call and message counter
/// by exactly that call, and failed logins move the authentication failures and the lockouts.
/// </summary>
/// <remarks>
/// Alone (<see cref="RunsAlone"/>): OpenTelemetry's listener takes every meter of the name in the process, so a
/// server another test class runs meanwhile would show its calls in this server's scrape too.
/// </remarks>
[Collection(RunsAlone.Name)]
public sealed class MetricsAfterOneCallTests : IAsyncLifetime, IDisposable
{
    private const string SipPassword = "sip-secret-200";
    private const string WebPassword = "web-secret-200";
    private readonly TempDataFolder _data = new("sb-metrics-");
    private PbxHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await PbxHost.StartAsync(TestHostOptions.For(_data.Path) with
        {
            // T1 = 2 s: a loaded machine's slow ACK must not make our 200 go twice (RFC 3261 section 13.3.1.4 resends it
            // every T1 until the ACK), or the count of 2xx sent would tell the machine's load, not the call.
            Sip = SipHostOptions.Ephemeral with { Timers = new Sip.Transactions.SipTimerSettings { T1 = TimeSpan.FromSeconds(2), T2 = TimeSpan.FromSeconds(8) } },
        });
        await _host.Admin.CreateDomainAsync("example.com");
        await _host.Admin.CreateExtensionAsync("example.com", "200", "Carol", WebPassword, SipPassword);
        await _host.Admin.CreateExtensionAsync("example.com", "201", "Dave", WebPassword, SipPassword);
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    /// <summary>After <see cref="DisposeAsync"/> (xunit's order): the folder goes once the server has let go of it.</summary>
    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_scrape_after_one_call_shows_the_counters_moved_by_exactly_that_call()
    {
        var before = await PrometheusScrape.TakeAsync(_host.HttpUrl);

        // SIPp's echo call: INVITE, 100, 401, ACK; INVITE with digest, 100, 200, ACK; BYE, 200 (Sipp/echo-call.xml).
        var sipp = await SippCaller.CallAsync(_host.SipUdpPort!.Value, "*43", SipPassword, 1, _data.Path);
        Assert.True(sipp.ExitCode == 0, sipp.Output);
        var after = await ScrapeOnceEndedAsync(before);

        double Moved(string name, params string[] labels) => after.Value(name, labels) - before.Value(name, labels);
        void Expect(double expected, string name, params string[] labels) =>
            Assert.True(expected == Moved(name, labels), $"{name} {string.Join(",", labels)} moved by {Moved(name, labels)}, not {expected}:\n{after.Lines("switchboard_sip_r", "switchboard_call")}");
        Expect(1, "switchboard_calls_started_total");
        Expect(1, "switchboard_calls_ended_total", "reason=hangup");
        Expect(1, "switchboard_calls_ended_total");
        Assert.Equal(0, after.Value("switchboard_calls_active"));

        Expect(2, "switchboard_sip_requests_total", "direction=received", "method=INVITE");
        Expect(2, "switchboard_sip_requests_total", "direction=received", "method=ACK");
        Expect(1, "switchboard_sip_requests_total", "direction=received", "method=BYE");
        Expect(5, "switchboard_sip_requests_total", "direction=received");
        Expect(0, "switchboard_sip_requests_total", "direction=sent");
        Expect(2, "switchboard_sip_responses_total", "direction=sent", "class=1xx");
        Expect(2, "switchboard_sip_responses_total", "direction=sent", "class=2xx");
        Expect(1, "switchboard_sip_responses_total", "direction=sent", "class=4xx");
        Expect(5, "switchboard_sip_responses_total", "direction=sent");
        Expect(0, "switchboard_sip_responses_total", "direction=received");

        // The answer time's histogram took this call; a phone's call has no SRTP, so the media set-up's took none.
        Expect(1, "switchboard_call_answer_seconds_count");
        Expect(1, "switchboard_call_answer_seconds_bucket", "le=+Inf");
        Expect(0, "switchboard_call_media_setup_seconds_count");
        Assert.Contains("switchboard_call_answer_seconds_bucket{", after.Text, StringComparison.Ordinal);

        // The digest check read the extension and its SIP password from the store: the store histogram has them.
        Assert.True(after.Value("switchboard_store_operation_seconds_count", "store=directory", "operation=find_extension") >= 1, after.Text);
        Assert.True(after.Value("switchboard_store_operation_seconds_count", "store=call_records", "operation=write_batch") >= 1, after.Text);
        Expect(0, "switchboard_auth_failures_total");
    }

    [Fact]
    public async Task Wrong_passwords_count_as_failures_by_path_and_the_third_starts_one_lockout()
    {
        var before = await PrometheusScrape.TakeAsync(_host.HttpUrl);
        using var http = new HttpClient { BaseAddress = _host.HttpUrl };
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            var login = await http.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account = "201@example.com", password = "wrong " + i });
            statuses.Add(login.StatusCode);
        }

        // A SIP phone with the wrong password: challenged (not a failure), then refused 403 (one).
        var sipp = await SippCaller.CallAsync(_host.SipUdpPort!.Value, "*43", "not-the-password", 1, _data.Path);
        Assert.NotEqual(0, sipp.ExitCode);

        var after = await ScrapeUntilAsync(s => s.Value("switchboard_auth_failures_total", "path=sip") > before.Value("switchboard_auth_failures_total", "path=sip"));
        double Moved(string name, params string[] labels) => after.Value(name, labels) - before.Value(name, labels);

        // Limit 3 (TestHostOptions): the third wrong password locks the account; the fourth is refused unchecked.
        Assert.All(statuses, s => Assert.NotEqual(HttpStatusCode.OK, s));
        Assert.Equal(3, Moved("switchboard_auth_failures_total", "path=web", "reason=bad_credentials"));
        Assert.Equal(1, Moved("switchboard_auth_failures_total", "path=web", "reason=locked_out"));
        Assert.Equal(1, Moved("switchboard_auth_failures_total", "path=sip", "reason=bad_credentials"));
        Assert.Equal(5, Moved("switchboard_auth_failures_total"));
        Assert.Equal(1, Moved("switchboard_auth_lockouts_total"));
        Assert.Equal(0, Moved("switchboard_calls_started_total"));
    }

    /// <summary>Scrapes until the call has ended and its record's batch has committed (the answer time is recorded then).</summary>
    private Task<PrometheusScrape> ScrapeOnceEndedAsync(PrometheusScrape before) =>
        ScrapeUntilAsync(s => s.Value("switchboard_calls_ended_total") > before.Value("switchboard_calls_ended_total")
            && s.Value("switchboard_call_answer_seconds_count") > before.Value("switchboard_call_answer_seconds_count")
            && s.Value("switchboard_store_operation_seconds_count", "store=call_records") > before.Value("switchboard_store_operation_seconds_count", "store=call_records")
            && s.Value("switchboard_calls_active") == 0);

    private async Task<PrometheusScrape> ScrapeUntilAsync(Func<PrometheusScrape, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var scrape = await PrometheusScrape.TakeAsync(_host.HttpUrl);
            if (done(scrape) || DateTimeOffset.UtcNow > deadline)
            {
                return scrape;
            }

            await Task.Delay(200);
        }
    }
}
