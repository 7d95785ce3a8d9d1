using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Routing;

namespace Switchboard.Server.Tests;

/// <summary>The server's dial plan consults the stored call policy for external numbers.</summary>
public sealed class CallPolicyCompositionTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public CallPolicyCompositionTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task An_external_number_with_a_rule_goes_to_its_trunk_from_a_phone_and_is_refused_to_the_popup()
    {
        await _server.Host.Admin.CreateDomainAsync("policy.test");
        await _server.Host.Admin.CreateExtensionAsync("policy.test", "100", "Alice", "w", "s");
        var services = _server.Host.Services;
        var store = services.GetRequiredService<IPolicyStore>();
        await store.AddDialRuleAsync("policy.test", null, null, DialRule.TryCreate("0.", "carrier", 1, "+49", out var rule, out _) ? rule : null!);
        var alice = (await services.GetRequiredService<IDirectoryStore>().FindExtensionAsync("policy.test", "100"))!;
        var plan = services.GetRequiredService<DialPlan>();

        Assert.Equal(new Route.ToTrunk("carrier", "+49301234", NumberClass.National), await plan.ResolveAsync(alice, "0301234", CallOrigin.Sip, null));
        Assert.IsType<Route.NotPermitted>(await plan.ResolveAsync(alice, "0301234", null));
    }
}
