using System.Text.Json;
using Microsoft.Playwright;

namespace Switchboard.CallLatency;

/// <summary>
/// How Chromium spent the time between the popup's navigation start and our script running, from the popup's own
/// Navigation Timing and Resource Timing entries (W3C Navigation Timing Level 2): ms since navigation start.
/// </summary>
internal sealed record LoadTiming(IReadOnlyDictionary<string, double> Marks, int RequestsBeforeScript, int FromCacheBeforeScript)
{
    /// <summary>
    /// The marks, in the order they happen: <c>fetch</c> (the browser starts fetching the page), <c>connect</c> (the
    /// TCP connection is ready; equal to <c>fetch</c> when one is reused), <c>request</c> (the request is sent),
    /// <c>response</c> (its first byte), <c>html</c> (its last byte), <c>assets</c> (the last stylesheet or script the
    /// page needs before its script runs has arrived), <c>dom</c> (<c>domInteractive</c>: the HTML is parsed).
    /// </summary>
    public static readonly string[] Names = ["fetch", "connect", "request", "response", "html", "assets", "dom"];

    private const string Script = """
        () => {
          const n = performance.getEntriesByType('navigation')[0];
          const ran = (performance.getEntriesByName('sb:parsed')[0] || {}).startTime || n.domInteractive;
          const early = performance.getEntriesByType('resource').filter(r => r.startTime <= ran && r.initiatorType !== 'fetch' && r.initiatorType !== 'xmlhttprequest');
          return {
            fetch: n.fetchStart, connect: n.connectEnd, request: n.requestStart, response: n.responseStart, html: n.responseEnd,
            assets: early.reduce((m, r) => Math.max(m, r.responseEnd), n.responseEnd), dom: n.domInteractive,
            requests: early.length, cached: early.filter(r => r.transferSize === 0).length,
          };
        }
        """;

    public static async Task<LoadTiming?> ReadAsync(IPage popup)
    {
        var json = await popup.EvaluateAsync<JsonElement>(Script);
        if (json.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var marks = Names.ToDictionary(n => n, n => json.GetProperty(n).GetDouble(), StringComparer.Ordinal);
        return new LoadTiming(marks, json.GetProperty("requests").GetInt32(), json.GetProperty("cached").GetInt32());
    }
}
