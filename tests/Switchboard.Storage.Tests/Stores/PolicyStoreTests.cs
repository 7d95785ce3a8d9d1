using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

public abstract class PolicyStoreTests(TestEngine engine) : StoreTests(engine)
{
    private SqlPolicyStore Store => new(Temp.Database);

    private async Task SetUpAsync()
    {
        await Temp.Database.MigrateAsync();
        var directory = new SqlDirectoryStore(Temp.Database, Temp.Secrets, TimeProvider.System);
        await directory.CreateDomainAsync("example.com");
        await directory.CreateExtensionAsync(new NewExtension("example.com", "100", "Alice", "w", "s"));
    }

    private static DialRule Rule(string pattern, string trunk, int strip = 0, string prefix = "") =>
        DialRule.TryCreate(pattern, trunk, strip, prefix, out var rule, out var error) ? rule : throw new ArgumentException(error);

    [Fact]
    public async Task Dial_rules_keep_their_order_per_owner_through_inserts_and_removals()
    {
        await SetUpAsync();
        var national = await Store.AddDialRuleAsync("example.com", null, null, Rule("0.", "carrier", 1, "+49"));
        await Store.AddDialRuleAsync("example.com", null, null, Rule("X.", "catch-all"));
        await Store.AddDialRuleAsync("example.com", null, 1, Rule("0900.", "premium"));
        await Store.AddDialRuleAsync("example.com", "100", 5, Rule("01[5-7].", "mobile"));

        var domain = await Store.ListDialRulesAsync("example.com", null);
        Assert.Equal(["premium", "carrier", "catch-all"], domain.Select(r => r.Rule.Trunk));
        Assert.Equal([1, 2, 3], domain.Select(r => r.Position));
        Assert.Equal(("0.", 1, "+49"), (domain[1].Rule.Pattern.Text, domain[1].Rule.Strip, domain[1].Rule.Prefix));
        var own = Assert.Single(await Store.ListDialRulesAsync("example.com", "100"));
        Assert.Equal(("mobile", 1, "100"), (own.Rule.Trunk, own.Position, own.Extension));

        Assert.True(await Store.RemoveDialRuleAsync(national.Id));
        Assert.False(await Store.RemoveDialRuleAsync(national.Id));
        domain = await Store.ListDialRulesAsync("example.com", null);
        Assert.Equal([("premium", 1), ("catch-all", 2)], domain.Select(r => (r.Rule.Trunk, r.Position)));
    }

    [Fact]
    public async Task Writes_for_an_unknown_domain_or_extension_are_refused_by_name()
    {
        await SetUpAsync();

        var domain = await Assert.ThrowsAsync<DirectoryConflictException>(() => Store.AddDialRuleAsync("nope.com", null, null, Rule("0.", "t")));
        Assert.Equal("There is no domain 'nope.com'.", domain.Message);
        var extension = await Assert.ThrowsAsync<DirectoryConflictException>(() => Store.SetLimitsAsync("example.com", "999", new CallLimits(1, 1)));
        Assert.Equal("There is no extension 999@example.com.", extension.Message);
    }

    [Fact]
    public async Task Permissions_and_limits_round_trip_and_are_null_until_set()
    {
        await SetUpAsync();
        Assert.Null(await Store.GetPermissionsAsync("example.com", "100"));
        Assert.Null(await Store.GetLimitsAsync("example.com", "100"));
        Assert.Null(await Store.GetLimitsAsync("example.com", null));

        await Store.SetPermissionsAsync("example.com", "100", new HashSet<NumberClass> { NumberClass.National, NumberClass.International });
        await Store.SetPermissionsAsync("example.com", "100", new HashSet<NumberClass> { NumberClass.Premium, NumberClass.Internal });
        await Store.SetLimitsAsync("example.com", "100", new CallLimits(3, null));
        await Store.SetLimitsAsync("example.com", null, new CallLimits(null, 30));

        Assert.Equal([NumberClass.Internal, NumberClass.Premium], (await Store.GetPermissionsAsync("example.com", "100"))!.Order());
        Assert.Equal(new CallLimits(3, null), await Store.GetLimitsAsync("example.com", "100"));
        Assert.Equal(new CallLimits(null, 30), await Store.GetLimitsAsync("example.com", null));
    }

    [Fact]
    public async Task The_allow_list_and_number_classes_round_trip()
    {
        await SetUpAsync();
        Assert.True(await Store.AddAllowListAsync("example.com", DialPattern.Parse("+49.")));
        Assert.False(await Store.AddAllowListAsync("example.com", DialPattern.Parse("+49.")));
        Assert.True(await Store.AddAllowListAsync("example.com", DialPattern.Parse("0X.")));
        Assert.Equal(["+49.", "0X."], (await Store.ListAllowListAsync("example.com")).Select(p => p.Text));
        Assert.True(await Store.RemoveAllowListAsync("example.com", "+49."));
        Assert.False(await Store.RemoveAllowListAsync("example.com", "+49."));

        Assert.Equal(NumberClass.Emergency, (await Store.GetNumberPlanAsync("example.com")).Classify("911"));
        await Store.SetNumberClassPatternsAsync("example.com", NumberClass.Emergency, [DialPattern.Parse("110"), DialPattern.Parse("112")]);
        var plan = await Store.GetNumberPlanAsync("example.com");
        Assert.Equal(["110", "112"], plan.Emergency.Select(p => p.Text));
        Assert.Equal(NumberClass.National, plan.Classify("911"));
        Assert.Equal(NumberClass.Premium, plan.Classify("09001234"));
        await Store.SetNumberClassPatternsAsync("example.com", NumberClass.Emergency, []);
        Assert.Equal(NumberClass.Emergency, (await Store.GetNumberPlanAsync("example.com")).Classify("911"));
    }

    [Fact]
    public async Task A_rule_is_found_by_id_with_its_owner_and_changed_in_place()
    {
        await SetUpAsync();
        await Store.AddDialRuleAsync("example.com", "100", null, Rule("00.", "intl"));
        var own = await Store.AddDialRuleAsync("example.com", "100", null, Rule("0.", "carrier", 1, "+49"));

        Assert.Equal(("example.com", "100", 2, "carrier"), await Store.FindDialRuleAsync(own.Id) is { } found
            ? (found.Domain, found.Extension, found.Position, found.Rule.Trunk) : default);
        var changed = await Store.ChangeDialRuleAsync(own.Id, Rule("0N.", "backup", 1, "+49"));
        Assert.Equal(("0N.", "backup", 2, "100"), (changed!.Rule.Pattern.Text, changed.Rule.Trunk, changed.Position, changed.Extension));
        Assert.Equal(["00.", "0N."], (await Store.ListDialRulesAsync("example.com", "100")).Select(r => r.Rule.Pattern.Text));

        Assert.True(await Store.RemoveDialRuleAsync(own.Id));
        Assert.Null(await Store.FindDialRuleAsync(own.Id));
        Assert.Null(await Store.ChangeDialRuleAsync(own.Id, Rule("0.", "carrier")));
    }

    [Fact]
    public async Task A_domains_permissions_and_limits_are_listed_by_extension_and_reset_to_the_default()
    {
        await SetUpAsync();
        var directory = new SqlDirectoryStore(Temp.Database, Temp.Secrets, TimeProvider.System);
        await directory.CreateDomainAsync("other.com");
        await directory.CreateExtensionAsync(new NewExtension("other.com", "100", "Bob", "w", "s"));
        await Store.SetPermissionsAsync("example.com", "100", new HashSet<NumberClass> { NumberClass.Internal, NumberClass.Premium });
        await Store.SetPermissionsAsync("other.com", "100", new HashSet<NumberClass> { NumberClass.National });
        await Store.SetLimitsAsync("example.com", "100", new CallLimits(1, null));
        await Store.SetLimitsAsync("example.com", null, new CallLimits(9, 99));

        var permissions = await Store.ListPermissionsAsync("example.com");
        Assert.Equal(new HashSet<NumberClass> { NumberClass.Internal, NumberClass.Premium }, Assert.Single(permissions).Value);
        Assert.Equal(new CallLimits(1, null), Assert.Single(await Store.ListExtensionLimitsAsync("example.com"), l => l.Key == "100").Value);

        Assert.True(await Store.ResetPermissionsAsync("example.com", "100"));
        Assert.False(await Store.ResetPermissionsAsync("example.com", "100"));
        Assert.Null(await Store.GetPermissionsAsync("example.com", "100"));
        Assert.NotNull(await Store.GetPermissionsAsync("other.com", "100"));
        Assert.True(await Store.ResetLimitsAsync("example.com", "100"));
        Assert.Null(await Store.GetLimitsAsync("example.com", "100"));
        Assert.Equal(new CallLimits(9, 99), await Store.GetLimitsAsync("example.com", null));
        Assert.True(await Store.ResetLimitsAsync("example.com", null));
        Assert.Null(await Store.GetLimitsAsync("example.com", null));
    }

    [Fact]
    public async Task A_version_2_file_gains_the_policy_tables_and_keeps_its_rows()
    {
        await Temp.SetUpVersionAsync(2, "INSERT INTO domains (name, created_at) VALUES ('old.example', 0);");

        Assert.True(await Temp.Database.MigrateAsync() >= 3);

        await Store.SetLimitsAsync("old.example", null, new CallLimits(5, 50));
        Assert.Equal(new CallLimits(5, 50), await Store.GetLimitsAsync("old.example", null));
        await Store.AddDialRuleAsync("old.example", null, null, Rule("0.", "carrier"));
        Assert.Single(await Store.ListDialRulesAsync("old.example", null));
    }
}

public sealed class PolicyStoreOnSqlite() : PolicyStoreTests(TestEngine.Sqlite);

public sealed class PolicyStoreOnPostgres() : PolicyStoreTests(TestEngine.Postgres);
