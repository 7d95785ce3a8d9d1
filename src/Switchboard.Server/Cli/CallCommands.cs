using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Switchboard.Pbx.Calls;
using Switchboard.Server.Hosting;
using Switchboard.Storage;
using Switchboard.Web.Api;

namespace Switchboard.Server.Cli;

/// <summary><c>calls list</c>: the call records (docs/call-records.md), newest first.</summary>
internal static class CallCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void AddTo(RootCommand root)
    {
        var calls = new Command("calls", "Read the call records");
        calls.Subcommands.Add(List());
        root.Subcommands.Add(calls);
    }

    private static Command List()
    {
        var domain = new Option<string?>("--domain") { Description = "Only this domain" };
        var since = new Option<string?>("--since") { Description = "Only calls started at or after this time, ISO 8601 (UTC unless it has an offset), e.g. 2026-11-26T00:00" };
        var limit = new Option<int>("--limit") { Description = $"At most this many records (1 to {CallRecordQuery.MaxLimit})", DefaultValueFactory = _ => 50 };
        var json = new Option<bool>("--json") { Description = "Print JSON, as the admin API does, instead of a table" };
        var list = new Command("list", "List call records, newest first") { domain, since, limit, json };
        list.SetAction(async (result, ct) =>
        {
            if (!IsoTime.TryParse(result.GetValue(since), out var sinceAt))
            {
                Console.Error.WriteLine("--since must be an ISO 8601 time, e.g. 2026-11-26T00:00.");
                return 1;
            }

            using var data = await DataFolder.OpenAsync(result.GetValue(CommonOptions.Data)!, result.GetValue(CommonOptions.Store), ct);
            var query = new CallRecordQuery { Domain = result.GetValue(domain), Since = sinceAt, Limit = result.GetValue(limit) };
            var records = await new SqlCallRecordStore(data.Database).QueryAsync(query, ct);
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(records.Select(CallRecordReply.Of), Json));
            }
            else
            {
                PrintTable(records);
            }

            return 0;
        });
        return list;
    }

    private static void PrintTable(IReadOnlyList<CallRecord> records)
    {
        string[] header = ["time (UTC)", "from", "to", "route", "reason", "ended by", "duration", "digits"];
        var rows = records.Select(r => new[]
        {
            r.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            r.From, r.Destination, r.Route, r.Reason, r.EndedBy,
            ((int)r.Duration.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s",
            r.Digits ?? "",
        }).ToList();
        var widths = header.Select((h, i) => rows.Select(row => row[i].Length).Append(h.Length).Max()).ToArray();
        Console.WriteLine(Line(header, widths));
        foreach (var row in rows)
        {
            Console.WriteLine(Line(row, widths));
        }

        Console.WriteLine($"{rows.Count} record(s).");
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();
}
