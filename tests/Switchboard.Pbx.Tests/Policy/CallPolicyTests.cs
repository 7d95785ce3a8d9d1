using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Services;
using Switchboard.Pbx.Tests.Fakes;

namespace Switchboard.Pbx.Tests.Policy;

public class CallPolicyTests
{
    private const string Domain = "example.com";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryDirectoryStore _directory;
    private readonly InMemoryPolicyStore _store = new();
    private readonly PolicyCounters _counters = new();
    private readonly CallPolicy _policy;
    private readonly DialPlan _plan;

    public CallPolicyTests()
    {
        _directory = new InMemoryDirectoryStore(_time);
        _policy = new CallPolicy(_store, new CallLimiter(_time, _counters), _counters, NullLogger<CallPolicy>.Instance);
        _plan = new DialPlan(_directory, new ServiceOptions(), _policy);
    }

    private async Task<Extension> SetUpAsync()
    {
        await _directory.CreateDomainAsync(Domain);
        await _directory.CreateExtensionAsync(new NewExtension(Domain, "101", "Bob", "w", "s"));
        await _store.AddDialRuleAsync(Domain, null, null, Rule("X.", "carrier"));
        return await _directory.CreateExtensionAsync(new NewExtension(Domain, "100", "Alice", "w", "s"));
    }

    private static DialRule Rule(string pattern, string trunk, int strip = 0, string prefix = "") =>
        DialRule.TryCreate(pattern, trunk, strip, prefix, out var rule, out var error) ? rule : throw new ArgumentException(error);

    [Fact]
    public async Task Internal_numbers_resolve_before_any_rule_even_one_that_matches_them()
    {
        var alice = await SetUpAsync();

        Assert.IsType<Route.ToExtension>(await _plan.ResolveAsync(alice, "101", CallOrigin.Web, null));
        Assert.IsType<Route.ToService>(await _plan.ResolveAsync(alice, "*43", CallOrigin.Web, null));
    }

    [Fact]
    public async Task An_external_number_goes_to_the_trunk_of_the_first_rule_rewritten()
    {
        var alice = await SetUpAsync();
        await _store.AddDialRuleAsync(Domain, null, 1, Rule("0.", "national", 1, "+49"));

        var route = Assert.IsType<Route.ToTrunk>(await _plan.ResolveAsync(alice, "0301234", CallOrigin.Sip, null));

        Assert.Equal(new Route.ToTrunk("national", "+49301234", NumberClass.National), route);
        Assert.Equal("trunk:national", route.Name);
    }

    [Fact]
    public async Task The_extensions_own_rules_are_tried_before_the_domains()
    {
        var alice = await SetUpAsync();
        await _store.AddDialRuleAsync(Domain, "100", null, Rule("0.", "alices-trunk"));

        Assert.Equal("alices-trunk", Assert.IsType<Route.ToTrunk>(await _plan.ResolveAsync(alice, "0301234", CallOrigin.Sip, null)).Trunk);
        var bob = (await _directory.FindExtensionAsync(Domain, "101"))!;
        Assert.Equal("carrier", Assert.IsType<Route.ToTrunk>(await _plan.ResolveAsync(bob, "0301234", CallOrigin.Sip, null)).Trunk);
    }

    [Fact]
    public async Task A_number_no_rule_matches_is_not_found()
    {
        var alice = await SetUpAsync();
        await _store.RemoveDialRuleAsync(1);

        Assert.IsType<Route.NotFound>(await _plan.ResolveAsync(alice, "0301234", CallOrigin.Sip, null));
        Assert.IsType<Route.NotFound>(await new DialPlan(_directory, new ServiceOptions()).ResolveAsync(alice, "0301234", null));
    }

    [Theory]
    [InlineData("0044201234", NumberClass.International)]
    [InlineData("09001234", NumberClass.Premium)]
    public async Task A_class_the_extension_may_not_dial_is_not_permitted_and_counted(string number, NumberClass numberClass)
    {
        var alice = await SetUpAsync();

        var denied = Assert.IsType<Route.NotPermitted>(await _plan.ResolveAsync(alice, number, CallOrigin.Sip, null));

        Assert.Equal(CallPolicy.Explain(PolicyDenial.ClassNotAllowed, numberClass), denied.Why);
        Assert.Equal(1, _counters.Denied(PolicyDenial.ClassNotAllowed));
        await _store.SetPermissionsAsync(Domain, "100", new HashSet<NumberClass> { numberClass });
        Assert.Equal(numberClass, Assert.IsType<Route.ToTrunk>(await _plan.ResolveAsync(alice, number, CallOrigin.Sip, null)).Class);
        Assert.IsType<Route.NotPermitted>(await _plan.ResolveAsync(alice, "0301234", CallOrigin.Sip, null));
    }

    [Fact]
    public async Task Emergency_numbers_pass_without_permission_and_over_the_limits()
    {
        var alice = await SetUpAsync();
        await _store.SetPermissionsAsync(Domain, "100", new HashSet<NumberClass>());
        await _store.SetLimitsAsync(Domain, "100", new CallLimits(0, 0));
        await _store.SetLimitsAsync(Domain, null, new CallLimits(0, 0));

        var route = Assert.IsType<Route.ToTrunk>(await _plan.ResolveAsync(alice, "112", CallOrigin.Sip, null));
        var lease = await _policy.TryAcquireAsync(alice, route);

        Assert.Equal(NumberClass.Emergency, route.Class);
        Assert.True(lease.Allowed);
        Assert.IsType<Route.NotPermitted>(await _plan.ResolveAsync(alice, "0301234", CallOrigin.Sip, null));
    }

    [Fact]
    public async Task The_limits_refuse_at_routing_and_at_acquiring_until_a_lease_ends()
    {
        var alice = await SetUpAsync();
        await _store.SetLimitsAsync(Domain, "100", new CallLimits(1, null));
        var route = Assert.IsType<Route.ToTrunk>(await _plan.ResolveAsync(alice, "0301234", CallOrigin.Sip, null));
        var first = await _policy.TryAcquireAsync(alice, route);

        var refused = Assert.IsType<Route.NotPermitted>(await _plan.ResolveAsync(alice, "0301234", CallOrigin.Sip, null));
        Assert.Equal("too many calls at once from this extension", refused.Why);
        Assert.Equal(PolicyDenial.ExtensionConcurrent, (await _policy.TryAcquireAsync(alice, route)).Denial);

        first.Lease!.Dispose();
        Assert.IsType<Route.ToTrunk>(await _plan.ResolveAsync(alice, "0301234", CallOrigin.Sip, null));
    }

    [Fact]
    public async Task An_extension_has_a_per_minute_limit_by_default()
    {
        var alice = await SetUpAsync();
        var route = new Route.ToTrunk("carrier", "0301234", NumberClass.National);
        for (var i = 0; i < CallLimits.ExtensionDefault.PerMinute; i++)
        {
            (await _policy.TryAcquireAsync(alice, route)).Lease!.Dispose();
        }

        Assert.Equal(PolicyDenial.ExtensionPerMinute, (await _policy.TryAcquireAsync(alice, route)).Denial);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await _policy.TryAcquireAsync(alice, route)).Allowed);
    }

    [Theory]
    [InlineData(CallOrigin.Web)]
    [InlineData(CallOrigin.Link)]
    public async Task The_popup_and_links_dial_only_allow_listed_external_numbers(string origin)
    {
        var alice = await SetUpAsync();
        var only = origin == CallOrigin.Link ? "0301234" : null;

        var denied = Assert.IsType<Route.NotPermitted>(await _plan.ResolveAsync(alice, "0301234", origin, only));
        Assert.Equal("the number is not on the click-to-call allow-list", denied.Why);
        Assert.IsType<Route.ToExtension>(await _plan.ResolveAsync(alice, "101", origin, origin == CallOrigin.Link ? "101" : null));

        await _store.AddAllowListAsync(Domain, DialPattern.Parse("030X."));
        Assert.IsType<Route.ToTrunk>(await _plan.ResolveAsync(alice, "0301234", origin, only));
        Assert.Equal(1, _counters.Denied(PolicyDenial.NotOnAllowList));
    }

    [Fact]
    public async Task Sip_phones_are_not_held_to_the_allow_list_and_the_old_overload_is_the_popup()
    {
        var alice = await SetUpAsync();

        Assert.IsType<Route.ToTrunk>(await _plan.ResolveAsync(alice, "0301234", CallOrigin.Sip, null));
        Assert.IsType<Route.NotPermitted>(await _plan.ResolveAsync(alice, "0301234", null));
    }

    [Fact]
    public async Task A_domain_number_plan_changes_the_class()
    {
        var alice = await SetUpAsync();
        await _store.SetNumberClassPatternsAsync(Domain, NumberClass.Premium, [DialPattern.Parse("0301.")]);

        Assert.IsType<Route.NotPermitted>(await _plan.ResolveAsync(alice, "0301234", CallOrigin.Sip, null));
        Assert.IsType<Route.ToTrunk>(await _plan.ResolveAsync(alice, "09001234", CallOrigin.Sip, null));
    }
}
