using Switchboard.MediaLoad.Runs;

namespace Switchboard.MediaLoad.Soak;

/// <summary>
/// The PBX soaked with churning calls of the given modes in turn (a WebRTC call, then a phone call, ...), then stopped
/// cleanly so its last batch of records is written, and its database read for the records.
/// </summary>
internal static class SoakScenario
{
    public static async Task<SoakReport> RunAsync(MediaLoadOptions options, SoakOptions soak, string data, CancellationToken ct)
    {
        var callees = Scenarios.Callees(options).ToList();
        SoakReport report;
        await using (var rig = await PbxRig.StartAsync(options, data, callees, ct))
        {
            var placers = new List<PlaceCall>();
            foreach (var mode in options.Modes)
            {
                placers.Add(await Scenarios.PlacerAsync(mode, rig, callees, ct));
            }

            PlaceCall place = (i, c) => placers[i % placers.Count](i, c);

            // The callees register for an hour: a longer soak refreshes them, as phones do (the first hour-long run lost
            // one call to a registration that expired in its last minute).
            using var stopRefreshing = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var refreshing = RefreshAsync(rig, callees, stopRefreshing.Token);
            report = await SoakRunner.RunAsync(soak, rig.Pbx.Pid, rig.Pbx.Http, rig.Pumps, place, ct);
            await stopRefreshing.CancelAsync();
            await refreshing;
            Console.WriteLine($"  phones answered {rig.Farm.Answered} INVITEs, got {rig.Farm.Byes} BYEs");
        }

        var (byReason, answered) = await CallRecordCount.ReadAsync(data, ct);
        return report with { RecordsByReason = byReason, AnsweredRecords = answered };
    }

    private static async Task RefreshAsync(PbxRig rig, IReadOnlyList<string> callees, CancellationToken ct)
    {
        using var every = new PeriodicTimer(TimeSpan.FromMinutes(20));
        try
        {
            while (await every.WaitForNextTickAsync(ct))
            {
                if (await rig.Farm.RegisterAsync(callees, ct) is { } failure)
                {
                    Console.WriteLine("  registration refresh failed: " + failure);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
