using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;

namespace Switchboard.Server.Tests;

/// <summary>
/// The portal's admin API on a real server (docs/admin.md): the role on every route, CSRF on every change, each
/// admin in its own domain, and what the extension, link and CSV routes do.
/// </summary>
public sealed class AdminPortalApiTests : IClassFixture<ServerFixture>, IAsyncLifetime
{
    /// <summary>Every admin route, one example request each.</summary>
    private static readonly (string Method, string Path)[] Routes =
    [
        ("GET", "api/admin/session"), ("GET", "api/admin/overview"), ("GET", "api/admin/calls"), ("GET", "api/admin/calls.csv"), ("GET", "api/admin/extensions"),
        ("POST", "api/admin/extensions"), ("PATCH", "api/admin/extensions/demo.local/101"), ("DELETE", "api/admin/extensions/demo.local/101"),
        ("POST", "api/admin/links"), ("GET", "api/admin/live"), ("POST", "api/admin/live/0123/hangup"), ("GET", "api/admin/registrations"),
        ("GET", "api/admin/trunks"), ("POST", "api/admin/trunks"), ("DELETE", "api/admin/trunks/demo.local/carrier"),
        ("GET", "api/admin/allowlist"), ("POST", "api/admin/allowlist"), ("DELETE", "api/admin/allowlist/demo.local/0049."),
        ("POST", "api/admin/trunks/demo.local/carrier/test"),
        ("GET", "api/admin/dialrules"), ("POST", "api/admin/dialrules"), ("PUT", "api/admin/dialrules/demo.local/1"), ("DELETE", "api/admin/dialrules/demo.local/1"),
        ("GET", "api/admin/permissions"), ("PUT", "api/admin/permissions/demo.local/101"), ("DELETE", "api/admin/permissions/demo.local/101"),
        ("GET", "api/admin/limits"), ("PUT", "api/admin/limits/demo.local"), ("PUT", "api/admin/limits/demo.local/101"),
        ("DELETE", "api/admin/limits/demo.local"), ("DELETE", "api/admin/limits/demo.local/101"),
        ("GET", "api/admin/numberclasses"), ("PUT", "api/admin/numberclasses/demo.local/premium"), ("DELETE", "api/admin/numberclasses/demo.local/premium"),
        ("GET", "api/admin/ivr"), ("POST", "api/admin/ivr/reload"),
    ];

    /// <summary>Every route that changes something, with a body the route would accept from an admin of demo.local.</summary>
    private static readonly (string Method, string Path, object? Body)[] Changes =
    [
        ("POST", "api/admin/extensions", new { number = "330" }), ("PATCH", "api/admin/extensions/demo.local/101", new { displayName = "X" }),
        ("DELETE", "api/admin/extensions/demo.local/101", null), ("POST", "api/admin/links", new { account = "101@demo.local", destination = "100" }),
        ("POST", "api/admin/live/0123/hangup", null), ("POST", "api/admin/trunks", new { name = "csrf", proxy = "127.0.0.1", username = "u", password = "carrier-pw" }),
        ("DELETE", "api/admin/trunks/demo.local/carrier", null), ("POST", "api/admin/trunks/demo.local/carrier/test", null),
        ("POST", "api/admin/allowlist", new { pattern = "0033." }), ("DELETE", "api/admin/allowlist/demo.local/0049.", null),
        ("POST", "api/admin/dialrules", new { pattern = "0.", trunk = "carrier" }), ("PUT", "api/admin/dialrules/demo.local/1", new { pattern = "0.", trunk = "carrier" }),
        ("DELETE", "api/admin/dialrules/demo.local/1", null), ("PUT", "api/admin/permissions/demo.local/101", new { allow = new[] { "premium" } }),
        ("DELETE", "api/admin/permissions/demo.local/101", null), ("PUT", "api/admin/limits/demo.local", new { concurrent = 1 }),
        ("PUT", "api/admin/limits/demo.local/101", new { perMinute = 1 }), ("DELETE", "api/admin/limits/demo.local", null),
        ("DELETE", "api/admin/limits/demo.local/101", null), ("PUT", "api/admin/numberclasses/demo.local/premium", new { patterns = new[] { "0137." } }),
        ("DELETE", "api/admin/numberclasses/demo.local/premium", null), ("POST", "api/admin/ivr/reload", null),
    ];

    private readonly ServerFixture _server;

    public AdminPortalApiTests(ServerFixture server) => _server = server;

    private PbxAdmin Admin => _server.Host.Admin;

    public async Task InitializeAsync()
    {
        if (!await AdminAccounts.SeedAsync(_server.Host))
        {
            return;
        }

        var records = _server.Host.Services.GetRequiredService<ICallRecordStore>();
        var at = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        await records.AddAsync(new CallRecord("csv-demo", "demo.local", "100@demo.local", "+4930123", "web", "trunk:carrier",
            at, at.AddSeconds(1), at.AddSeconds(31), "hangup", "caller", null));
        await records.AddAsync(new CallRecord("csv-other", "other.example", "100@other.example", "101", "web", "extension",
            at, null, at.AddSeconds(5), "no_answer", "pbx", null));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<AdminClient> LoggedInAsync(string account, string password = ServerFixture.Password) =>
        AdminClient.LogInAsync(_server.Host.HttpUrl, account, password);

    private static Task<JsonElement> Json(HttpResponseMessage response) => AdminClient.Json(response);

    private static Task<string> ErrorOf(HttpResponseMessage response) => AdminClient.ErrorOf(response);

    [Fact]
    public async Task Every_admin_route_is_401_without_a_session_and_403_for_a_user()
    {
        using var anonymous = new AdminClient(new HttpClient { BaseAddress = _server.Host.HttpUrl }, "");
        using var user = await LoggedInAsync("101@demo.local");
        Assert.Equal("", user.Csrf);
        foreach (var (method, path) in Routes)
        {
            var none = await anonymous.SendAsync(method, path, new { });
            Assert.True(none.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} without a session: {none.StatusCode}");
            var refused = await user.SendAsync(method, path, new { });
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} as a user: {refused.StatusCode}");
            Assert.Equal("not_admin", await ErrorOf(refused));
        }

        Assert.NotNull(await _server.Host.Services.GetRequiredService<IDirectoryStore>().FindExtensionAsync("demo.local", "101"));
    }

    [Fact]
    public async Task A_change_without_the_csrf_token_or_with_a_wrong_one_is_refused_and_changes_nothing()
    {
        using var admin = await LoggedInAsync("100@demo.local");
        Assert.Matches("^[0-9a-f]{64}$", admin.Csrf);
        var body = new { number = "310", displayName = "Csrf", webPassword = "web-pass-310", sipPassword = "sip-pass-310" };

        var missing = await admin.SendAsync("POST", "api/admin/extensions", body, withToken: false);
        var wrong = await admin.SendAsync("POST", "api/admin/extensions", body, token: new string('0', 64));
        var deleted = await admin.SendAsync("DELETE", "api/admin/extensions/demo.local/101", withToken: false);
        var hangup = await admin.SendAsync("POST", "api/admin/live/0123/hangup", withToken: false);

        foreach (var refused in new[] { missing, wrong, deleted, hangup })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("csrf_invalid", await ErrorOf(refused));
        }

        var directory = _server.Host.Services.GetRequiredService<IDirectoryStore>();
        Assert.Null(await directory.FindExtensionAsync("demo.local", "310"));
        Assert.NotNull(await directory.FindExtensionAsync("demo.local", "101"));

        // Another admin's token is not this session's either.
        using var other = await LoggedInAsync("100@other.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.SendAsync("POST", "api/admin/extensions", body, token: other.Csrf)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.SendAsync("POST", "api/admin/extensions", body)).StatusCode);
    }

    [Fact]
    public async Task An_admin_of_one_domain_can_neither_see_nor_change_another()
    {
        using var other = await LoggedInAsync("100@other.example");
        var session = await Json(await other.Http.GetAsync(new Uri("api/admin/session", UriKind.Relative)));
        Assert.Equal(["other.example"], session.GetProperty("domains").EnumerateArray().Select(d => d.GetString()));

        foreach (var path in new[] { "api/admin/extensions", "api/admin/calls", "api/admin/calls.csv", "api/admin/live", "api/admin/registrations" })
        {
            var refused = await other.SendAsync("GET", path + "?domain=demo.local");
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{path}?domain=demo.local: {refused.StatusCode}");
        }

        var own = await Json(await other.SendAsync("GET", "api/admin/extensions"));
        Assert.All(own.GetProperty("extensions").EnumerateArray(), e => Assert.Equal("other.example", e.GetProperty("domain").GetString()));
        var csv = await (await other.SendAsync("GET", "api/admin/calls.csv")).Content.ReadAsStringAsync();
        Assert.Contains("csv-other", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("csv-demo", csv, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Forbidden, (await other.SendAsync("PATCH", "api/admin/extensions/demo.local/101", new { displayName = "Taken" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.SendAsync("DELETE", "api/admin/extensions/demo.local/101")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.SendAsync("POST", "api/admin/extensions", new { domain = "demo.local", number = "311" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.SendAsync("POST", "api/admin/links", new { account = "101@demo.local", destination = "100" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.SendAsync("POST", "api/admin/extensions", new { number = "312", role = "system-admin" })).StatusCode);

        // Not even in its own domain may an admin touch a system admin (whose password would make it one).
        using var admin = await LoggedInAsync("100@demo.local");
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.SendAsync("PATCH", "api/admin/extensions/demo.local/900", new { webPassword = "taken-over" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.SendAsync("DELETE", "api/admin/extensions/demo.local/900")).StatusCode);

        var directory = _server.Host.Services.GetRequiredService<IDirectoryStore>();
        Assert.NotEqual("Taken", (await directory.FindExtensionAsync("demo.local", "101"))!.DisplayName);
        Assert.Null(await directory.FindExtensionAsync("demo.local", "311"));
    }

    [Fact]
    public async Task A_system_admin_sees_and_changes_every_domain()
    {
        using var system = await LoggedInAsync("900@demo.local");
        var session = await Json(await system.SendAsync("GET", "api/admin/session"));
        Assert.Equal("system-admin", session.GetProperty("role").GetString());
        Assert.Contains("other.example", session.GetProperty("domains").EnumerateArray().Select(d => d.GetString()));

        var all = await Json(await system.SendAsync("GET", "api/admin/extensions"));
        var domains = all.GetProperty("extensions").EnumerateArray().Select(e => e.GetProperty("domain").GetString()).Distinct().ToList();
        Assert.Contains("demo.local", domains);
        Assert.Contains("other.example", domains);
        var csv = await (await system.SendAsync("GET", "api/admin/calls.csv")).Content.ReadAsStringAsync();
        Assert.Contains("csv-other", csv, StringComparison.Ordinal);
        Assert.Contains("csv-demo", csv, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await system.SendAsync("PATCH", "api/admin/extensions/other.example/101", new { displayName = "Renamed by system" })).StatusCode);
        var directory = _server.Host.Services.GetRequiredService<IDirectoryStore>();
        Assert.Equal("Renamed by system", (await directory.FindExtensionAsync("other.example", "101"))!.DisplayName);
    }

    [Fact]
    public async Task Extensions_are_added_renamed_given_passwords_and_roles_and_deleted_without_a_restart()
    {
        using var admin = await LoggedInAsync("100@demo.local");
        var added = await admin.SendAsync("POST", "api/admin/extensions", new { number = "320", displayName = "Carol", sipPassword = "sip-pass-320" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var reply = await Json(added);
        Assert.Equal("320@demo.local", reply.GetProperty("extension").GetProperty("account").GetString());
        var madeUp = reply.GetProperty("webPassword").GetString()!;
        Assert.Equal(12, madeUp.Length);
        Assert.Equal(JsonValueKind.Null, reply.GetProperty("sipPassword").ValueKind);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.SendAsync("POST", "api/admin/extensions", new { number = "320" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.SendAsync("POST", "api/admin/extensions", new { number = "32a" })).StatusCode);

        // The made-up web password logs in at once; after the change only the new one does.
        using (await LoggedInAsync("320@demo.local", madeUp))
        {
        }

        var changed = await admin.SendAsync("PATCH", "api/admin/extensions/demo.local/320", new { displayName = "Carol C.", webPassword = "new-web-320", role = "admin" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("admin", (await Json(changed)).GetProperty("role").GetString());
        Assert.Equal("Carol C.", (await Json(changed)).GetProperty("displayName").GetString());
        using (var carol = await LoggedInAsync("320@demo.local", "new-web-320"))
        {
            Assert.NotEqual("", carol.Csrf);
        }

        Assert.Equal(HttpStatusCode.Conflict, (await admin.SendAsync("DELETE", "api/admin/extensions/demo.local/100")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.SendAsync("PATCH", "api/admin/extensions/demo.local/100", new { role = "user" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync("DELETE", "api/admin/extensions/demo.local/320")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync("DELETE", "api/admin/extensions/demo.local/320")).StatusCode);
        using var http = new HttpClient { BaseAddress = _server.Host.HttpUrl };
        var gone = await http.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account = "320@demo.local", password = "new-web-320" });
        Assert.Equal(HttpStatusCode.Unauthorized, gone.StatusCode);
    }

    [Fact]
    public async Task The_link_generator_makes_a_link_the_popup_api_accepts_within_the_cap()
    {
        using var admin = await LoggedInAsync("100@demo.local");
        var made = await admin.SendAsync("POST", "api/admin/links", new { account = "101@demo.local", destination = "100", durationSeconds = 600, lang = "de" });
        Assert.Equal(HttpStatusCode.OK, made.StatusCode);
        var reply = await Json(made);
        var url = new Uri(reply.GetProperty("url").GetString()!);
        Assert.Equal(_server.Host.HttpUrl.Authority, url.Authority);
        Assert.Contains("window.open('" + url.AbsoluteUri + "', '', 'width=230, height=300, left=200, location=0')", reply.GetProperty("snippet").GetString(), StringComparison.Ordinal);

        var q = System.Web.HttpUtility.ParseQueryString(url.Query);
        Assert.Equal("de", q["lang"]);
        using var http = new HttpClient { BaseAddress = _server.Host.HttpUrl };
        var checkedLink = await http.PostAsJsonAsync(new Uri("api/link", UriKind.Relative),
            new { destnumber = q["destnumber"], user = q["user"], pass = q["pass"], time = q["time"], duration = q["duration"] });
        Assert.Equal(HttpStatusCode.OK, checkedLink.StatusCode);

        var tooLong = await admin.SendAsync("POST", "api/admin/links", new { account = "101@demo.local", destination = "100", durationSeconds = 7201 });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync("POST", "api/admin/links", new { account = "999@demo.local", destination = "100" })).StatusCode);
    }

    [Fact]
    public async Task The_csv_export_has_a_header_and_the_filtered_records()
    {
        using var admin = await LoggedInAsync("100@demo.local");
        var response = await admin.SendAsync("GET", "api/admin/calls.csv?route=trunk:");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("call_id,domain,from,to,origin,route,started_at,answered_at,ended_at,reason,ended_by,duration_seconds,digits," +
            "caller_loss_pct,caller_jitter_ms,caller_rtt_ms,caller_mos,callee_loss_pct,callee_jitter_ms,callee_rtt_ms,callee_mos,queue,queue_wait_seconds,agent", lines[0]);
        Assert.Equal("csv-demo,demo.local,100@demo.local,+4930123,web,trunk:carrier,2026-12-01T10:00:00.000+00:00,2026-12-01T10:00:01.000+00:00," +
            "2026-12-01T10:00:31.000+00:00,hangup,caller,30,,,,,,,,,,,,", Assert.Single(lines[1..]));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.SendAsync("GET", "api/admin/calls.csv?since=soon")).StatusCode);
    }

    [Fact]
    public async Task Trunks_and_the_allow_list_are_changed_in_the_admins_domain_only()
    {
        using var admin = await LoggedInAsync("100@demo.local");
        using var other = await LoggedInAsync("100@other.example");
        var trunk = new { name = "portal-carrier", proxy = "127.0.0.1:5999", transport = "udp", username = "acct", password = "carrier-secret", register = false };

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.SendAsync("POST", "api/admin/trunks", trunk with { proxy = "bad host:x" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.SendAsync("POST", "api/admin/trunks", trunk with { transport = "wss" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.SendAsync("POST", "api/admin/trunks", trunk)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.SendAsync("POST", "api/admin/trunks", trunk)).StatusCode);
        var listed = (await Json(await admin.SendAsync("GET", "api/admin/trunks"))).GetProperty("trunks").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "portal-carrier");
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("registered").ValueKind);
        Assert.DoesNotContain("carrier-secret", listed.ToString(), StringComparison.Ordinal);
        Assert.Empty((await Json(await other.SendAsync("GET", "api/admin/trunks"))).GetProperty("trunks").EnumerateArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await other.SendAsync("DELETE", "api/admin/trunks/demo.local/portal-carrier")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync("DELETE", "api/admin/trunks/demo.local/portal-carrier")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync("DELETE", "api/admin/trunks/demo.local/portal-carrier")).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.SendAsync("POST", "api/admin/allowlist", new { pattern = "0.49" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.SendAsync("POST", "api/admin/allowlist", new { pattern = "0049." })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.SendAsync("POST", "api/admin/allowlist", new { domain = "demo.local", pattern = "0033." })).StatusCode);
        var patterns = (await Json(await admin.SendAsync("GET", "api/admin/allowlist"))).GetProperty("patterns").EnumerateArray().Select(p => p.GetString());
        Assert.Equal(["0049."], patterns);
        Assert.Empty((await Json(await other.SendAsync("GET", "api/admin/allowlist"))).GetProperty("patterns").EnumerateArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await other.SendAsync("DELETE", "api/admin/allowlist/demo.local/0049.")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync("DELETE", "api/admin/allowlist/demo.local/0049.")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync("DELETE", "api/admin/allowlist/demo.local/0049.")).StatusCode);
    }

    [Fact]
    public async Task Every_change_route_refuses_a_request_without_the_csrf_token_even_from_a_system_admin()
    {
        using var system = await LoggedInAsync("900@demo.local");
        foreach (var (method, path, body) in Changes)
        {
            var refused = await system.SendAsync(method, path, body, withToken: false);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} without the token: {refused.StatusCode}");
            Assert.Equal("csrf_invalid", await ErrorOf(refused));
        }

        var policy = _server.Host.Services.GetRequiredService<Pbx.Policy.IPolicyStore>();
        Assert.Empty(await policy.ListDialRulesAsync("demo.local", null));
        Assert.Null(await policy.GetPermissionsAsync("demo.local", "101"));
        Assert.Null(await policy.GetLimitsAsync("demo.local", null));
        Assert.Equal(Pbx.Policy.NumberPlan.Default.Premium, (await policy.GetNumberPlanAsync("demo.local")).Premium);
    }

    /// <summary>A route added without an entry in <see cref="Routes"/> would escape the checks above: this lists what the server maps.</summary>
    [Fact]
    public void Every_mapped_admin_route_is_in_the_checked_list()
    {
        var mapped = _server.Host.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/admin", StringComparison.Ordinal) == true)
            .SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Select(m => (Method: m, Pattern: e.RoutePattern.RawText!)))
            .ToList();
        Assert.True(mapped.Count >= Routes.Length, $"only {mapped.Count} admin routes mapped");
        foreach (var (method, pattern) in mapped)
        {
            var shape = "^" + System.Text.RegularExpressions.Regex.Replace(pattern.TrimStart('/'), @"\{[^}]+\}", "[^/]+") + "$";
            Assert.True(Routes.Any(r => r.Method == method && System.Text.RegularExpressions.Regex.IsMatch(r.Path, shape)),
                $"{method} {pattern} is mapped but not in Routes");
            if (method != "GET")
            {
                Assert.True(Changes.Any(c => c.Method == method && System.Text.RegularExpressions.Regex.IsMatch(c.Path, shape)),
                    $"{method} {pattern} changes something but is not in Changes");
            }
        }
    }
}
