using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Queues;
using Switchboard.Pbx.Routing;
using Switchboard.Storage;

namespace Switchboard.Server.Tests;

/// <summary>
/// Queues changed while the server runs take effect without a restart (docs/queues.md, "Configuration"): the change is
/// made as the CLI makes it, straight in the store, and the running host's dial plan routes to it within seconds.
/// </summary>
public sealed class QueueReloadTests : IDisposable
{
    private readonly TempDataFolder _data = new("sb-queue-reload-");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_queue_added_and_removed_by_the_cli_reaches_the_running_dial_plan()
    {
        await using var host = await PbxHost.StartAsync(TestHostOptions.For(_data.Path));
        await host.Admin.CreateDomainAsync("example.com");
        await host.Admin.CreateExtensionAsync("example.com", "100", "Agent", "web-secret-1", "sip-secret-1");
        await host.Admin.CreateExtensionAsync("example.com", "200", "Caller", "web-secret-1", "sip-secret-1");
        var store = new SqlQueueStore(host.Services.GetRequiredService<StoreDatabase>(), TimeProvider.System);
        Assert.IsNotType<Route.ToQueueLine>(await ResolveAsync(host, "800"));

        await store.AddAsync(new QueueDefinition(0, "example.com", "sales", "800", QueueStrategy.RingAll, ["100"], TimeSpan.FromSeconds(60), null,
            TimeSpan.Zero, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15), "en", QueueDefinition.DefaultHoldMusic));
        await UntilAsync(async () => await ResolveAsync(host, "800") is Route.ToQueueLine { Queue.Name: "sales" });
        Assert.Equal(["100"], host.Services.GetRequiredService<QueueService>().Directory.Find("example.com", "sales")!.Members);

        await store.AddMemberAsync("example.com", "sales", "200");
        await UntilAsync(() => Task.FromResult(host.Services.GetRequiredService<QueueService>().Directory.Find("example.com", "sales")!.Members.Count == 2));
        Assert.True(await host.Services.GetRequiredService<QueueService>().LogOutAsync("example.com", "200"));

        await store.RemoveAsync("example.com", "sales");
        await UntilAsync(async () => await ResolveAsync(host, "800") is not Route.ToQueueLine);
        Assert.False(await host.Services.GetRequiredService<QueueService>().LogOutAsync("example.com", "200"));
    }

    private static async Task<Route> ResolveAsync(PbxHost host, string number)
    {
        var caller = (await host.Services.GetRequiredService<IDirectoryStore>().FindExtensionAsync("example.com", "200"))!;
        return await host.Services.GetRequiredService<DialPlan>().ResolveAsync(caller, number, CallOrigin.Sip, null);
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not within 10 s");
            await Task.Delay(50);
        }
    }
}
