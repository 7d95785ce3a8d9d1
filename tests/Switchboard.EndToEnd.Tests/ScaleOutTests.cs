using Switchboard.EndToEnd.Tests.Peers;
using Switchboard.Server;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// Issue 12, part 4: two Switchboard nodes behind the Kamailio configuration the project ships
/// (<c>deploy/kamailio/kamailio.cfg</c>), a real phone (baresip) that knows only the proxy. Calls reach a node and
/// its echo answers; when that node stops, the proxy's OPTIONS probe marks it down and the next call reaches the
/// other node; a draining node is skipped the same way (docs/scale-out.md).
/// </summary>
public sealed class ScaleOutTests : IAsyncLifetime
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);
    private readonly List<string> dataDirectories = [];
    private readonly PbxHost?[] nodes = new PbxHost?[2];

    public async Task InitializeAsync()
    {
        for (var i = 0; i < nodes.Length; i++)
        {
            var data = Directory.CreateTempSubdirectory("sb-node-").FullName;
            dataDirectories.Add(data);
            nodes[i] = await BrowserFixture.StartHostAsync(data, addressFailureLimit: 1000);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in nodes)
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var data in dataDirectories)
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // a file still held by a stopping host: the OS cleans the temp folder later
            }
        }
    }

    [Fact]
    public async Task Calls_through_the_shipped_kamailio_reach_a_live_node_and_fail_over_when_it_stops_or_drains()
    {
        // The same extension on every node, as a shared store (PostgreSQL) would give them.
        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        foreach (var node in nodes)
        {
            await node!.Admin.CreateExtensionAsync(BrowserFixture.Domain, "700", "Scale Out", password, "sip-" + password);
        }

        await using var proxy = await KamailioDispatcher.StartAsync(nodes.Select(n => n!.SipUdpPort!.Value), CancellationToken.None);
        await using var phone = await BaresipAgent.StartAsync(new BaresipOptions
        {
            User = "700",
            Domain = BrowserFixture.Domain,
            Registrar = proxy.Address,
            Password = "sip-" + password,
        }, CancellationToken.None);
        await phone.WaitRegisteredAsync();

        var first = await EchoCallAsync(phone, proxy);
        var other = 1 - first;

        // The node that took the call stops: the proxy's next probe (1 s) finds nobody there, and the next call goes to the other.
        await nodes[first]!.DisposeAsync();
        nodes[first] = null;
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(other, await EchoCallAsync(phone, proxy));

        // A draining node answers the probe 503: the proxy then has no node left, and says so.
        nodes[other]!.Drain();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await phone.DialAsync($"sip:*43@{BrowserFixture.Domain}");
        var closed = await phone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        Assert.True(closed.Param?.Contains("503", StringComparison.Ordinal) == true, $"{closed}\nproxy log:\n{proxy.LogTail}");
    }

    /// <summary>One call to the echo test through the proxy; which node recorded it.</summary>
    private async Task<int> EchoCallAsync(BaresipAgent phone, KamailioDispatcher proxy)
    {
        var before = new int[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            before[i] = nodes[i] is { } node ? await CallRecords.CountAsync(node) : 0;
        }

        await phone.DialAsync($"sip:*43@{BrowserFixture.Domain}");
        try
        {
            await phone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"no echo call through the proxy; proxy log:\n{proxy.LogTail}", e);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        await phone.HangupAsync();
        await phone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            for (var i = 0; i < nodes.Length; i++)
            {
                if (nodes[i] is { } node && await CallRecords.CountAsync(node) > before[i])
                {
                    return i;
                }
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("the call left no record on any node");
    }
}
