using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Unicode;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// The popup's own set-up marks (docs/signalling.md, <c>phases</c>), checked before they are kept: the
/// page is not trusted, so a report is bounded in size, names only known marks once each, and holds
/// finite, non-negative milliseconds. A report that breaks any rule is dropped whole.
/// </summary>
public sealed class PagePhases
{
    /// <summary>Far above a real report (about 300 bytes), far below the socket's 64 KB message limit.</summary>
    public const int MaxBytes = 2048;

    /// <summary>An hour: a mark later than that is no set-up mark.</summary>
    public const double MaxMs = 3_600_000;

    /// <summary>The marks a page may report, in the order a call normally takes them.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["parsed", "session", "mic", "ws_open", "offer_sent", "answer", "ice", "dtls", "audio_in", "connected"];

    private static readonly FrozenSet<string> Known = Names.ToFrozenSet(StringComparer.Ordinal);

    private PagePhases(IReadOnlyList<KeyValuePair<string, double>> marks) => Marks = marks;

    /// <summary>Milliseconds since the popup's navigation start, by mark name, as reported.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Marks { get; }

    /// <summary>Reads <c>{"type":"phases","marks":{"name":ms,...}}</c>; false (and nothing kept) for anything else.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> json, out PagePhases? phases)
    {
        phases = null;
        // JsonDocument does not check that strings are UTF-8 (RFC 8259 section 8.1 requires it); reading a
        // name with bad bytes would throw InvalidOperationException, not JsonException. Found by fuzzing.
        if (json.Length > MaxBytes || !Utf8.IsValid(json.Span))
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 3 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object ||
                !doc.RootElement.TryGetProperty("marks", out var marks) || marks.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var list = new List<KeyValuePair<string, double>>(Names.Count);
            foreach (var mark in marks.EnumerateObject())
            {
                if (!Known.Contains(mark.Name) || list.Count == Names.Count || list.Exists(m => m.Key == mark.Name) ||
                    mark.Value.ValueKind != JsonValueKind.Number || !mark.Value.TryGetDouble(out var ms) ||
                    !double.IsFinite(ms) || ms < 0 || ms > MaxMs)
                {
                    return false;
                }

                list.Add(new(mark.Name, ms));
            }

            phases = new PagePhases(list);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
