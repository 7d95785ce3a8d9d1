using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pbx.Ivr;
using Switchboard.Pbx.Policy;

namespace Switchboard.Server.Tests;

/// <summary>
/// The portal's call policy routes (docs/admin.md, "Call policy"): dial rules, permissions, limits, number classes and
/// the IVR's reload, each with the CLI's checks, in the admin's own domain only. The role and CSRF checks of these
/// routes are in <see cref="AdminPortalApiTests"/>, which lists every admin route.
/// </summary>
public sealed class AdminPolicyApiTests : IClassFixture<ServerFixture>, IAsyncLifetime
{
    private readonly ServerFixture _server;

    public AdminPolicyApiTests(ServerFixture server) => _server = server;

    private IPolicyStore Policy => _server.Host.Services.GetRequiredService<IPolicyStore>();

    public async Task InitializeAsync() => await AdminAccounts.SeedAsync(_server.Host);

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<AdminClient> LoggedInAsync(string account) => AdminClient.LogInAsync(_server.Host.HttpUrl, account, ServerFixture.Password);

    private static async Task AssertBadFieldAsync(HttpResponseMessage response, string field, string detail)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var reply = await AdminClient.Json(response);
        Assert.Equal("bad_field", reply.GetProperty("error").GetString());
        Assert.Equal(field, reply.GetProperty("field").GetString());
        Assert.Contains(detail, reply.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dial_rules_are_added_listed_changed_and_removed_with_the_clis_checks()
    {
        using var admin = await LoggedInAsync("100@demo.local");
        var first = await admin.ExpectAsync(HttpStatusCode.Created, "POST", "api/admin/dialrules", new { pattern = "0.", trunk = "carrier", strip = 1, prefix = "+49" });
        await admin.ExpectAsync(HttpStatusCode.Created, "POST", "api/admin/dialrules", new { pattern = "00.", trunk = "carrier", strip = 2, prefix = "+", position = 1 });
        var own = await admin.ExpectAsync(HttpStatusCode.Created, "POST", "api/admin/dialrules", new { extension = "101", pattern = "01[5-7]X.", trunk = "mobile" });
        Assert.Equal("101", own.GetProperty("extension").GetString());

        var listed = (await admin.ExpectAsync(HttpStatusCode.OK, "GET", "api/admin/dialrules")).GetProperty("rules").EnumerateArray()
            .Select(r => (r.GetProperty("position").GetInt32(), r.GetProperty("pattern").GetString())).ToList();
        Assert.Equal([(1, "00."), (2, "0.")], listed);
        var ownList = await admin.ExpectAsync(HttpStatusCode.OK, "GET", "api/admin/dialrules?extension=101");
        Assert.Equal("01[5-7]X.", Assert.Single(ownList.GetProperty("rules").EnumerateArray()).GetProperty("pattern").GetString());

        var id = first.GetProperty("id").GetInt64();
        var changed = await admin.ExpectAsync(HttpStatusCode.OK, "PUT", $"api/admin/dialrules/demo.local/{id}", new { pattern = "0N.", trunk = "backup", strip = 1, prefix = "+49" });
        Assert.Equal(("0N.", "backup", 2), (changed.GetProperty("pattern").GetString(), changed.GetProperty("trunk").GetString(), changed.GetProperty("position").GetInt32()));
        var stored = await Policy.FindDialRuleAsync(id);
        Assert.Equal("backup", stored!.Rule.Trunk);

        // The CLI's words, naming the field.
        await AssertBadFieldAsync(await admin.SendAsync("POST", "api/admin/dialrules", new { pattern = "0.49", trunk = "carrier" }), "pattern", "'0.49' has '.' that is not at its end");
        await AssertBadFieldAsync(await admin.SendAsync("POST", "api/admin/dialrules", new { pattern = "0.", trunk = "no spaces" }), "trunk", "is not a trunk name");
        await AssertBadFieldAsync(await admin.SendAsync("POST", "api/admin/dialrules", new { pattern = "0X", trunk = "carrier", strip = 2 }), "strip", "must be at least 0 and leave a character");
        await AssertBadFieldAsync(await admin.SendAsync("POST", "api/admin/dialrules", new { pattern = "0.", trunk = "carrier", position = 0 }), "position", "must be 1 or more");
        await AssertBadFieldAsync(await admin.SendAsync("PUT", $"api/admin/dialrules/demo.local/{id}", new { pattern = "0.", trunk = "carrier", prefix = "+4a" }), "prefix", "is not a dial string");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync("POST", "api/admin/dialrules", new { extension = "999", pattern = "0.", trunk = "carrier" })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync("DELETE", $"api/admin/dialrules/demo.local/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync("DELETE", $"api/admin/dialrules/demo.local/{id}")).StatusCode);
        Assert.Equal(["00."], (await Policy.ListDialRulesAsync("demo.local", null)).Select(r => r.Rule.Pattern.Text));
        foreach (var rule in await Policy.ListDialRulesAsync("demo.local", null))
        {
            await Policy.RemoveDialRuleAsync(rule.Id);
        }
    }

    [Fact]
    public async Task An_admin_can_neither_read_nor_change_another_domains_policy()
    {
        var theirs = await Policy.AddDialRuleAsync("demo.local", null, null, DialRule.TryCreate("9.", "carrier", 0, "", out var rule, out _) ? rule : null!);
        using var other = await LoggedInAsync("100@other.example");
        foreach (var path in new[] { "api/admin/dialrules", "api/admin/permissions", "api/admin/limits", "api/admin/numberclasses" })
        {
            var refused = await other.SendAsync("GET", path + "?domain=demo.local");
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{path}?domain=demo.local: {refused.StatusCode}");
            Assert.Equal("other_domain", await AdminClient.ErrorOf(refused));
        }

        var changes = new (string Method, string Path, object? Body)[]
        {
            ("POST", "api/admin/dialrules", new { domain = "demo.local", pattern = "0.", trunk = "carrier" }),
            ("PUT", $"api/admin/dialrules/demo.local/{theirs.Id}", new { pattern = "0.", trunk = "stolen" }),
            ("DELETE", $"api/admin/dialrules/demo.local/{theirs.Id}", null),
            ("PUT", "api/admin/permissions/demo.local/101", new { allow = new[] { "premium" } }),
            ("DELETE", "api/admin/permissions/demo.local/101", null),
            ("PUT", "api/admin/limits/demo.local", new { concurrent = 0 }),
            ("PUT", "api/admin/limits/demo.local/101", new { concurrent = 0 }),
            ("DELETE", "api/admin/limits/demo.local/101", null),
            ("PUT", "api/admin/numberclasses/demo.local/premium", new { patterns = new[] { "0." } }),
            ("DELETE", "api/admin/numberclasses/demo.local/premium", null),
        };
        foreach (var (method, path, body) in changes)
        {
            var refused = await other.SendAsync(method, path, body);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {refused.StatusCode}");
        }

        // Nor through its own domain's path with the other domain's rule id.
        Assert.Equal(HttpStatusCode.NotFound, (await other.SendAsync("PUT", $"api/admin/dialrules/other.example/{theirs.Id}", new { pattern = "0.", trunk = "stolen" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.SendAsync("DELETE", $"api/admin/dialrules/other.example/{theirs.Id}")).StatusCode);
        Assert.Empty((await other.ExpectAsync(HttpStatusCode.OK, "GET", "api/admin/dialrules")).GetProperty("rules").EnumerateArray());

        Assert.Equal("carrier", (await Policy.FindDialRuleAsync(theirs.Id))!.Rule.Trunk);
        Assert.Null(await Policy.GetPermissionsAsync("demo.local", "101"));
        Assert.Null(await Policy.GetLimitsAsync("demo.local", "101"));
        Assert.Equal(NumberPlan.Default.Premium, (await Policy.GetNumberPlanAsync("demo.local")).Premium);
        await Policy.RemoveDialRuleAsync(theirs.Id);

        // A system admin may.
        using var system = await LoggedInAsync("900@demo.local");
        await system.ExpectAsync(HttpStatusCode.OK, "GET", "api/admin/limits?domain=other.example");
        await system.ExpectAsync(HttpStatusCode.OK, "PUT", "api/admin/limits/other.example/101", new { concurrent = 4 });
        Assert.Equal(4, (await Policy.GetLimitsAsync("other.example", "101"))!.Concurrent);
        await system.ExpectAsync(HttpStatusCode.NoContent, "DELETE", "api/admin/limits/other.example/101");
        Assert.Null(await Policy.GetLimitsAsync("other.example", "101"));
    }

    [Fact]
    public async Task Permissions_and_limits_are_listed_set_checked_and_reset()
    {
        using var admin = await LoggedInAsync("100@demo.local");
        var before = await admin.ExpectAsync(HttpStatusCode.OK, "GET", "api/admin/permissions");
        var row = before.GetProperty("extensions").EnumerateArray().Single(e => e.GetProperty("number").GetString() == "101");
        Assert.True(row.GetProperty("isDefault").GetBoolean());
        Assert.Equal(["internal", "emergency", "tollfree", "national"], row.GetProperty("allowed").EnumerateArray().Select(c => c.GetString()));

        var set = await admin.ExpectAsync(HttpStatusCode.OK, "PUT", "api/admin/permissions/demo.local/101", new { allow = new List<string> { "international" } });
        Assert.Equal(["internal", "emergency", "international"], set.GetProperty("allowed").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(new HashSet<NumberClass> { NumberClass.Internal, NumberClass.Emergency, NumberClass.International }, await Policy.GetPermissionsAsync("demo.local", "101"));
        await AssertBadFieldAsync(await admin.SendAsync("PUT", "api/admin/permissions/demo.local/101", new { allow = new List<string> { "intl" } }), "allow", "'intl' is not a number class");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync("PUT", "api/admin/permissions/demo.local/999", new { allow = new List<string> { "national" } })).StatusCode);
        await admin.ExpectAsync(HttpStatusCode.NoContent, "DELETE", "api/admin/permissions/demo.local/101");
        Assert.Null(await Policy.GetPermissionsAsync("demo.local", "101"));

        // Limits: a value left out keeps its value, null or "none" removes it, as the CLI's options do.
        var limited = await admin.ExpectAsync(HttpStatusCode.OK, "PUT", "api/admin/limits/demo.local/101", new { concurrent = 3 });
        Assert.Equal((3, 10), (limited.GetProperty("concurrent").GetInt32(), limited.GetProperty("perMinute").GetInt32()));
        await admin.ExpectAsync(HttpStatusCode.OK, "PUT", "api/admin/limits/demo.local/101", new { perMinute = "none" });
        Assert.Equal(new CallLimits(3, null), await Policy.GetLimitsAsync("demo.local", "101"));
        await admin.ExpectAsync(HttpStatusCode.OK, "PUT", "api/admin/limits/demo.local", new Dictionary<string, object?> { ["concurrent"] = 20, ["perMinute"] = null });
        Assert.Equal(new CallLimits(20, null), await Policy.GetLimitsAsync("demo.local", null));
        await AssertBadFieldAsync(await admin.SendAsync("PUT", "api/admin/limits/demo.local/101", new { concurrent = -1 }), "concurrent", "'-1' is not a count (0 or more) or 'none'");
        await AssertBadFieldAsync(await admin.SendAsync("PUT", "api/admin/limits/demo.local", new { perMinute = "lots" }), "per-minute", "'lots' is not a count");
        Assert.Equal(new CallLimits(3, null), await Policy.GetLimitsAsync("demo.local", "101"));

        var list = await admin.ExpectAsync(HttpStatusCode.OK, "GET", "api/admin/limits");
        Assert.Equal(20, list.GetProperty("domainLimits").GetProperty("concurrent").GetInt32());
        var ext = list.GetProperty("extensions").EnumerateArray().Single(e => e.GetProperty("number").GetString() == "101");
        Assert.False(ext.GetProperty("isDefault").GetBoolean());
        Assert.Equal(JsonValueKind.Null, ext.GetProperty("perMinute").ValueKind);

        await admin.ExpectAsync(HttpStatusCode.NoContent, "DELETE", "api/admin/limits/demo.local/101");
        await admin.ExpectAsync(HttpStatusCode.NoContent, "DELETE", "api/admin/limits/demo.local");
        Assert.Null(await Policy.GetLimitsAsync("demo.local", "101"));
        Assert.Null(await Policy.GetLimitsAsync("demo.local", null));
    }

    [Fact]
    public async Task Number_classes_are_listed_set_checked_and_reset_to_the_default()
    {
        using var admin = await LoggedInAsync("100@demo.local");
        var set = await admin.ExpectAsync(HttpStatusCode.OK, "PUT", "api/admin/numberclasses/demo.local/emergency", new { patterns = new List<string> { "110", "112" } });
        Assert.Equal(["110", "112"], set.GetProperty("patterns").EnumerateArray().Select(p => p.GetString()));
        Assert.False(set.GetProperty("isDefault").GetBoolean());
        Assert.Equal(NumberClass.Emergency, (await Policy.GetNumberPlanAsync("demo.local")).Classify("110"));

        var list = await admin.ExpectAsync(HttpStatusCode.OK, "GET", "api/admin/numberclasses");
        Assert.Equal(["emergency", "premium", "tollfree", "international"], list.GetProperty("classes").EnumerateArray().Select(c => c.GetProperty("class").GetString()));

        await AssertBadFieldAsync(await admin.SendAsync("PUT", "api/admin/numberclasses/demo.local/national", new { patterns = new List<string> { "0." } }), "class", "is not one of emergency, premium, tollfree, international");
        await AssertBadFieldAsync(await admin.SendAsync("PUT", "api/admin/numberclasses/demo.local/premium", new { patterns = new List<string> { "09a" } }), "patterns", "'09a' has 'a'");

        await admin.ExpectAsync(HttpStatusCode.NoContent, "DELETE", "api/admin/numberclasses/demo.local/emergency");
        Assert.Equal(NumberPlan.Default.Emergency, (await Policy.GetNumberPlanAsync("demo.local")).Emergency);
    }

    [Fact]
    public async Task The_ivr_is_reloaded_by_a_system_admin_and_a_bad_file_keeps_the_menus_in_use()
    {
        var ivr = _server.Host.Services.GetRequiredService<IvrRuntime>();
        Assert.NotNull(ivr.File);
        using var admin = await LoggedInAsync("100@demo.local");
        using var system = await LoggedInAsync("900@demo.local");
        Assert.Equal("not_system_admin", await AdminClient.ErrorOf(await admin.SendAsync("POST", "api/admin/ivr/reload")));
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.SendAsync("GET", "api/admin/ivr")).StatusCode);

        try
        {
            await File.WriteAllTextAsync(ivr.File!, """{ "menus": [ { "name": "front", "options": { "1": "101", "2": "menu:back" } }, { "name": "back", "options": { "0": "menu:front" } } ] }""");
            var reloaded = await system.ExpectAsync(HttpStatusCode.OK, "POST", "api/admin/ivr/reload");
            Assert.Equal(["front", "back"], reloaded.GetProperty("menus").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
            Assert.Equal("front", ivr.Configuration.StartMenu.Name);

            // A typo: refused whole with the field named, and the menus just loaded stay.
            await File.WriteAllTextAsync(ivr.File!, """{ "menus": [ { "name": "front", "options": { "1": "menu:nowhere" } } ] }""");
            var refused = await system.SendAsync("POST", "api/admin/ivr/reload");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var reply = await AdminClient.Json(refused);
            Assert.Equal("bad_ivr", reply.GetProperty("error").GetString());
            Assert.Equal("menus[0].options[\"1\"]: no menu named 'nowhere'", reply.GetProperty("detail").GetString());
            Assert.Equal(2, ivr.Configuration.Menus.Count);
            Assert.Equal(["front", "back"], (await system.ExpectAsync(HttpStatusCode.OK, "GET", "api/admin/ivr")).GetProperty("menus").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        }
        finally
        {
            File.Delete(ivr.File!);
        }

        // The file gone: the demo menu again.
        await system.ExpectAsync(HttpStatusCode.OK, "POST", "api/admin/ivr/reload");
        Assert.Equal(IvrConfiguration.DemoMenuName, ivr.Configuration.StartMenu.Name);
    }

    [Fact]
    public async Task A_trunks_caller_id_and_dids_are_stored_and_listed_and_its_registration_can_be_tested()
    {
        using var admin = await LoggedInAsync("100@demo.local");
        var body = new Dictionary<string, object?>
        {
            ["name"] = "cid-carrier", ["proxy"] = "127.0.0.1:5998", ["username"] = "acct", ["password"] = "carrier-secret", ["register"] = false,
            ["fromUser"] = "4930123456", ["assertedIdentity"] = "+4930123456", ["dids"] = new Dictionary<string, string> { ["4930123456"] = "100", ["4930123457"] = "*50" },
        };
        await admin.ExpectAsync(HttpStatusCode.Created, "POST", "api/admin/trunks", body);
        var listed = (await admin.ExpectAsync(HttpStatusCode.OK, "GET", "api/admin/trunks")).GetProperty("trunks").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "cid-carrier");
        Assert.Equal("4930123456", listed.GetProperty("fromUser").GetString());
        Assert.Equal("+4930123456", listed.GetProperty("assertedIdentity").GetString());
        Assert.Equal("*50", listed.GetProperty("dids").GetProperty("4930123457").GetString());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("registration").ValueKind);
        Assert.Equal("not_registering", await AdminClient.ErrorOf(await admin.SendAsync("POST", "api/admin/trunks/demo.local/cid-carrier/test")));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync("POST", "api/admin/trunks/demo.local/nothing/test")).StatusCode);
        body["name"] = "bad-did";
        body["dids"] = new Dictionary<string, string> { ["49x"] = "100" };
        await AssertBadFieldAsync(await admin.SendAsync("POST", "api/admin/trunks", body), "did", "'49x' is not a number");
        await admin.ExpectAsync(HttpStatusCode.NoContent, "DELETE", "api/admin/trunks/demo.local/cid-carrier");
    }
}
