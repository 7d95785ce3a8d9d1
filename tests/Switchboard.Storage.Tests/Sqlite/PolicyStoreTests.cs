using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Storage.Tests.Sqlite;

public sealed class PolicyStoreTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly SqlitePolicyStore _store;

    public PolicyStoreTests() => _store = new SqlitePolicyStore(_temp.Database);

    public void Dispose() => _temp.Dispose();

    private async Task SetUpAsync()
    {
        await _temp.Database.MigrateAsync();
        var directory = new SqliteDirectoryStore(_temp.Database, _temp.Secrets, TimeProvider.System);
        await directory.CreateDomainAsync("example.com");
        await directory.CreateExtensionAsync(new NewExtension("example.com", "100", "Alice", "w", "s"));
    }

    private static DialRule Rule(string pattern, string trunk, int strip = 0, string prefix = "") =>
        DialRule.TryCreate(pattern, trunk, strip, prefix, out var rule, out var error) ? rule : throw new ArgumentException(error);

    [Fact]
    public async Task Dial_rules_keep_their_order_per_owner_through_inserts_and_removals()
    {
        await SetUpAsync();
        var national = await _store.AddDialRuleAsync("example.com", null, null, Rule("0.", "carrier", 1, "+49"));
        await _store.AddDialRuleAsync("example.com", null, null, Rule("X.", "catch-all"));
        await _store.AddDialRuleAsync("example.com", null, 1, Rule("0900.", "premium"));
        await _store.AddDialRuleAsync("example.com", "100", 5, Rule("01[5-7].", "mobile"));

        var domain = await _store.ListDialRulesAsync("example.com", null);
        Assert.Equal(["premium", "carrier", "catch-all"], domain.Select(r => r.Rule.Trunk));
        Assert.Equal([1, 2, 3], domain.Select(r => r.Position));
        Assert.Equal(("0.", 1, "+49"), (domain[1].Rule.Pattern.Text, domain[1].Rule.Strip, domain[1].Rule.Prefix));
        var own = Assert.Single(await _store.ListDialRulesAsync("example.com", "100"));
        Assert.Equal(("mobile", 1, "100"), (own.Rule.Trunk, own.Position, own.Extension));

        Assert.True(await _store.RemoveDialRuleAsync(national.Id));
        Assert.False(await _store.RemoveDialRuleAsync(national.Id));
        domain = await _store.ListDialRulesAsync("example.com", null);
        Assert.Equal([("premium", 1), ("catch-all", 2)], domain.Select(r => (r.Rule.Trunk, r.Position)));
    }

    [Fact]
    public async Task Writes_for_an_unknown_domain_or_extension_are_refused_by_name()
    {
        await SetUpAsync();

        var domain = await Assert.ThrowsAsync<DirectoryConflictException>(() => _store.AddDialRuleAsync("nope.com", null, null, Rule("0.", "t")));
        Assert.Equal("There is no domain 'nope.com'.", domain.Message);
        var extension = await Assert.ThrowsAsync<DirectoryConflictException>(() => _store.SetLimitsAsync("example.com", "999", new CallLimits(1, 1)));
        Assert.Equal("There is no extension 999@example.com.", extension.Message);
    }

    [Fact]
    public async Task Permissions_and_limits_round_trip_and_are_null_until_set()
    {
        await SetUpAsync();
        Assert.Null(await _store.GetPermissionsAsync("example.com", "100"));
        Assert.Null(await _store.GetLimitsAsync("example.com", "100"));
        Assert.Null(await _store.GetLimitsAsync("example.com", null));

        await _store.SetPermissionsAsync("example.com", "100", new HashSet<NumberClass> { NumberClass.National, NumberClass.International });
        await _store.SetPermissionsAsync("example.com", "100", new HashSet<NumberClass> { NumberClass.Premium, NumberClass.Internal });
        await _store.SetLimitsAsync("example.com", "100", new CallLimits(3, null));
        await _store.SetLimitsAsync("example.com", null, new CallLimits(null, 30));

        Assert.Equal([NumberClass.Internal, NumberClass.Premium], (await _store.GetPermissionsAsync("example.com", "100"))!.Order());
        Assert.Equal(new CallLimits(3, null), await _store.GetLimitsAsync("example.com", "100"));
        Assert.Equal(new CallLimits(null, 30), await _store.GetLimitsAsync("example.com", null));
    }

    [Fact]
    public async Task The_allow_list_and_number_classes_round_trip()
    {
        await SetUpAsync();
        Assert.True(await _store.AddAllowListAsync("example.com", DialPattern.Parse("+49.")));
        Assert.False(await _store.AddAllowListAsync("example.com", DialPattern.Parse("+49.")));
        Assert.True(await _store.AddAllowListAsync("example.com", DialPattern.Parse("0X.")));
        Assert.Equal(["+49.", "0X."], (await _store.ListAllowListAsync("example.com")).Select(p => p.Text));
        Assert.True(await _store.RemoveAllowListAsync("example.com", "+49."));
        Assert.False(await _store.RemoveAllowListAsync("example.com", "+49."));

        Assert.Equal(NumberClass.Emergency, (await _store.GetNumberPlanAsync("example.com")).Classify("911"));
        await _store.SetNumberClassPatternsAsync("example.com", NumberClass.Emergency, [DialPattern.Parse("110"), DialPattern.Parse("112")]);
        var plan = await _store.GetNumberPlanAsync("example.com");
        Assert.Equal(["110", "112"], plan.Emergency.Select(p => p.Text));
        Assert.Equal(NumberClass.National, plan.Classify("911"));
        Assert.Equal(NumberClass.Premium, plan.Classify("09001234"));
        await _store.SetNumberClassPatternsAsync("example.com", NumberClass.Emergency, []);
        Assert.Equal(NumberClass.Emergency, (await _store.GetNumberPlanAsync("example.com")).Classify("911"));
    }

    [Fact]
    public async Task A_version_2_file_gains_the_policy_tables_and_keeps_its_rows()
    {
        await using (var c = await _temp.Database.OpenAsync())
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = string.Join('\n', Migrations.All.Where(m => m.Version <= 2).Select(m => m.Sql)) +
                "\nINSERT INTO domains (name, created_at) VALUES ('old.example', 0);\nPRAGMA user_version = 2;";
            await cmd.ExecuteNonQueryAsync();
        }

        Assert.True(await _temp.Database.MigrateAsync() >= 3);

        await _store.SetLimitsAsync("old.example", null, new CallLimits(5, 50));
        Assert.Equal(new CallLimits(5, 50), await _store.GetLimitsAsync("old.example", null));
        await _store.AddDialRuleAsync("old.example", null, null, Rule("0.", "carrier"));
        Assert.Single(await _store.ListDialRulesAsync("old.example", null));
    }
}
