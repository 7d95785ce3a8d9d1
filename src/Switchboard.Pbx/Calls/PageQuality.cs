using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// The popup's own view of its call's audio (docs/signalling.md, <c>quality</c>), from the browser's
/// <c>RTCPeerConnection.getStats()</c>: what it lost and its jitter on what it receives, the round trip of what it sends,
/// its microphone level, and the warning it shows, if any. The page is not trusted: a report is small, names each known
/// field at most once, holds finite numbers in range, and is dropped whole when it breaks any rule.
/// </summary>
public sealed record PageQuality(double LossPercent, double JitterMs, double? RoundTripMs, double? AudioLevel, string? Warning)
{
    /// <summary>A real report is about 120 bytes.</summary>
    public const int MaxBytes = 512;

    /// <summary>Ten seconds: a jitter or round trip beyond that is no measurement of a live call.</summary>
    public const double MaxMs = 10_000;

    /// <summary>What the popup may say it warns about (docs/signalling.md).</summary>
    public static readonly IReadOnlyList<string> Warnings = ["loss", "jitter", "round_trip", "mic"];

    /// <summary>Reads <c>{"type":"quality","lossPercent":n,"jitterMs":n,"roundTripMs":n|null,"audioLevel":n|null,"warning":s|null}</c>.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> json, out PageQuality? quality)
    {
        quality = null;
        if (json.Length > MaxBytes || !Utf8.IsValid(json.Span))
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 2 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            double? loss = null, jitter = null, rtt = null, level = null;
            string? warning = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(p.Name))
                {
                    return false;
                }

                var ok = p.Name switch
                {
                    "type" => p.Value.ValueKind == JsonValueKind.String && p.Value.ValueEquals("quality"),
                    "lossPercent" => Number(p.Value, 100, out loss) && loss is not null,
                    "jitterMs" => Number(p.Value, MaxMs, out jitter) && jitter is not null,
                    "roundTripMs" => Number(p.Value, MaxMs, out rtt),
                    "audioLevel" => Number(p.Value, 1, out level),
                    "warning" => ReadWarning(p.Value, out warning),
                    _ => false,
                };
                if (!ok)
                {
                    return false;
                }
            }

            if (loss is not { } l || jitter is not { } j)
            {
                return false;
            }

            quality = new PageQuality(l, j, rtt, level, warning);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The report as the call record keeps it (<c>page_quality</c>): compact JSON, our own field names and rounding.</summary>
    public string ToJson()
    {
        var json = new StringBuilder(128).Append("{\"lossPercent\":").Append(Format(LossPercent, "0.##"))
            .Append(",\"jitterMs\":").Append(Format(JitterMs, "0.#"));
        if (RoundTripMs is { } rtt)
        {
            json.Append(",\"roundTripMs\":").Append(Format(rtt, "0.#"));
        }

        if (AudioLevel is { } level)
        {
            json.Append(",\"audioLevel\":").Append(Format(level, "0.####"));
        }

        if (Warning is { } warning)
        {
            // One of Warnings: our own constants, nothing to escape.
            json.Append(",\"warning\":\"").Append(warning).Append('"');
        }

        return json.Append('}').ToString();
    }

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A finite number in [0, max], or JSON null (no value); anything else is refused.</summary>
    private static bool Number(JsonElement value, double max, out double? number)
    {
        number = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var d) || !double.IsFinite(d) || d < 0 || d > max)
        {
            return false;
        }

        number = d;
        return true;
    }

    private static bool ReadWarning(JsonElement value, out string? warning)
    {
        warning = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        foreach (var known in Warnings)
        {
            if (value.ValueEquals(known))
            {
                warning = known;
                return true;
            }
        }

        return false;
    }
}
