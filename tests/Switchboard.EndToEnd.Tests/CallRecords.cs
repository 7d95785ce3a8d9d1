using Switchboard.Server;

namespace Switchboard.EndToEnd.Tests;

internal static class CallRecords
{
    public static async Task<int> CountAsync(PbxHost host) => (await host.Admin.ListCallRecordsAsync()).Count;

    /// <summary>Waits (bounded) until the PBX has recorded more calls than <paramref name="before"/>.</summary>
    public static async Task ExpectMoreThanAsync(PbxHost host, int before, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            var count = await CountAsync(host);
            if (count > before) return;
            Assert.True(DateTime.UtcNow < deadline, $"no call record was written (still {count})");
            await Task.Delay(50);
        }
    }

    public static async Task ExpectUnchangedAsync(PbxHost host, int before) => Assert.Equal(before, await CountAsync(host));
}
