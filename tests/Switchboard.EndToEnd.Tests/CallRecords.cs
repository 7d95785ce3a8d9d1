using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server;

namespace Switchboard.EndToEnd.Tests;

internal static class CallRecords
{
    /// <summary>
    /// How many records there are once every call has finished: a call is forgotten only after its record has
    /// committed (the writer batches, so a call's end is told before its record lands), so a count taken while an
    /// earlier test's call is still finishing could change under a test that expects it unchanged.
    /// </summary>
    public static async Task<int> CountAsync(PbxHost host)
    {
        var calls = host.Services.GetRequiredService<Switchboard.Pbx.Calls.CallEngine>();
        for (var attempt = 0; attempt < 200 && calls.ActiveCalls > 0; attempt++)
        {
            await Task.Delay(25);
        }

        return (await host.Admin.ListCallRecordsAsync()).Count;
    }

    /// <summary>Waits (bounded) until the PBX has recorded more calls than <paramref name="before"/>.</summary>
    public static async Task ExpectMoreThanAsync(PbxHost host, int before, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            var count = (await host.Admin.ListCallRecordsAsync()).Count;
            if (count > before) return;
            Assert.True(DateTime.UtcNow < deadline, $"no call record was written (still {count})");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits (bounded) for a call record that matches.</summary>
    public static async Task<Switchboard.Pbx.Calls.CallRecord> WaitForAsync(PbxHost host, Func<Switchboard.Pbx.Calls.CallRecord, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            var found = (await host.Admin.ListCallRecordsAsync()).FirstOrDefault(match);
            if (found is not null) return found;
            Assert.True(DateTime.UtcNow < deadline, "no matching call record was written\nPBX log, last lines:\n" + RecentPbxLog.Instance.Tail());
            await Task.Delay(100);
        }
    }

    public static async Task ExpectUnchangedAsync(PbxHost host, int before) => Assert.Equal(before, await CountAsync(host));
}
