using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.Pbx.Calls;

namespace Switchboard.CallLatency;

/// <summary>
/// One call's set-up marks from its record (docs/call-records.md, <c>phases</c>), on two time lines: the page's,
/// from the opener's <c>window.open</c> (the popup's navigation start is <c>nav</c>), and the PBX's, from the offer.
/// </summary>
internal sealed record CallMarks(IReadOnlyDictionary<string, double> Page, IReadOnlyDictionary<string, double> Pbx)
{
    /// <summary>The browser's own loading marks (<see cref="LoadTiming"/>), on the page's time line from window.open.</summary>
    public IReadOnlyDictionary<string, double> Load { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>Requests the page made (and how many of them the cache answered without a request) before its script ran.</summary>
    public (int Requests, int FromCache)? EarlyRequests { get; init; }

    /// <summary>The record's marks; <paramref name="openToNavMs"/> moves the page's from navigation start to window.open.</summary>
    public static CallMarks? From(string? phasesJson, double openToNavMs, LoadTiming? load = null)
    {
        if (phasesJson is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(phasesJson);
        var page = new Dictionary<string, double>(StringComparer.Ordinal) { ["open"] = 0, ["nav"] = openToNavMs };
        var pbx = new Dictionary<string, double>(StringComparer.Ordinal);
        if (doc.RootElement.TryGetProperty("page", out var p))
        {
            foreach (var m in p.EnumerateObject())
            {
                page[m.Name] = openToNavMs + m.Value.GetDouble();
            }
        }

        if (doc.RootElement.TryGetProperty("pbx", out var x))
        {
            foreach (var m in x.EnumerateObject())
            {
                pbx[m.Name] = m.Value.GetDouble();
            }
        }

        return new CallMarks(page, pbx)
        {
            Load = load is null ? new Dictionary<string, double>(StringComparer.Ordinal)
                : load.Marks.ToDictionary(m => m.Key, m => openToNavMs + m.Value, StringComparer.Ordinal),
            EarlyRequests = load is null ? null : (load.RequestsBeforeScript, load.FromCacheBeforeScript),
        };
    }
}

/// <summary>The phase table: per mark, its time from the side's origin and the step it added, p50 and p95 over the calls.</summary>
internal static class PhaseTable
{
    public static void Append(StringBuilder text, IReadOnlyList<CallMarks> calls)
    {
        text.Append(CultureInfo.InvariantCulture, $"Set-up phases over {calls.Count} counted calls (from each call's record). ");
        text.AppendLine("\"from origin\": page marks from window.open in the opener, PBX marks from the offer reaching the PBX; " +
            "\"step\": from the latest earlier mark of the same call on the same side (what this phase added).");
        text.AppendLine();
        text.AppendLine("| side | mark | calls | from origin p50 (ms) | p95 (ms) | step p50 (ms) | p95 (ms) |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        Rows(text, "page", ["open", "nav", .. PagePhases.Names], calls.Select(c => c.Page).ToList());
        Rows(text, "pbx", CallPhases.PbxNames, calls.Select(c => c.Pbx).ToList());
        text.AppendLine();

        // Chromium's own loading of the page, between `nav` and `parsed` (Navigation and Resource Timing):
        // what the server, the network stack and the parser each took, on the same time line.
        var loads = calls.Where(c => c.Load.Count > 0).ToList();
        if (loads.Count == 0)
        {
            return;
        }

        text.AppendLine("Loading the page, as Chromium's Navigation Timing saw it (from window.open; \"step\" from the latest earlier of these marks or `nav`):");
        text.AppendLine();
        text.AppendLine("| side | mark | calls | from origin p50 (ms) | p95 (ms) | step p50 (ms) | p95 (ms) |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        Rows(text, "load", ["nav", .. LoadTiming.Names, "parsed"], loads.Select(c => (IReadOnlyDictionary<string, double>)c.Load
            .Append(new("nav", c.Page["nav"])).Concat(c.Page.Where(p => p.Key == "parsed"))
            .ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal)).ToList());
        var requests = loads.Where(c => c.EarlyRequests is not null).Select(c => c.EarlyRequests!.Value).ToList();
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Requests for stylesheets and scripts before our script ran, besides the page: median {Median(requests.Select(r => r.Requests))}, of which answered by the cache without a request: median {Median(requests.Select(r => r.FromCache))}.");
    }

    private static int Median(IEnumerable<int> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[(sorted.Count - 1) / 2];
    }

    private static void Rows(StringBuilder text, string side, IReadOnlyList<string> names, List<IReadOnlyDictionary<string, double>> calls)
    {
        foreach (var name in names)
        {
            var at = new List<double>();
            var steps = new List<double>();
            foreach (var marks in calls)
            {
                if (!marks.TryGetValue(name, out var ms))
                {
                    continue;
                }

                at.Add(ms);
                var earlier = marks.Where(m => m.Key != name && m.Value <= ms).Select(m => m.Value).DefaultIfEmpty(ms).Max();
                steps.Add(ms - earlier);
            }

            if (at.Count > 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {side} | {name} | {at.Count} | {Q(at, 0.5)} | {Q(at, 0.95)} | {Q(steps, 0.5)} | {Q(steps, 0.95)} |");
            }
        }
    }

    private static string Q(List<double> samples, double q) => PbxSamples.Quantile(samples, q).ToString("0.0", CultureInfo.InvariantCulture);
}
