using System.Globalization;

namespace Switchboard.SipLoad;

/// <summary>
/// Reads the Prometheus text format the PBX serves at /metrics (OpenTelemetry's exporter): <c>name{labels} value [timestamp]</c>.
/// A sample is keyed by its name plus its labels other than OpenTelemetry's scope labels, e.g. <c>switchboard_calls_active</c> or
/// <c>switchboard_calls_ended_total{reason="hangup"}</c>.
/// </summary>
internal static class PrometheusText
{
    public static Dictionary<string, double> Parse(string text)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var close = brace < 0 ? -1 : line.IndexOf('}', brace);
            var name = brace < 0 ? line[..Math.Max(0, line.IndexOf(' ', StringComparison.Ordinal))] : line[..brace];
            var rest = (close < 0 ? line[name.Length..] : line[(close + 1)..]).Trim();
            var valueText = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (name.Length == 0 || valueText is null || !double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var labels = close < 0 ? [] : line[(brace + 1)..close].Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => !l.StartsWith("otel_scope_", StringComparison.Ordinal)).ToArray();
            values[labels.Length == 0 ? name : name + "{" + string.Join(',', labels) + "}"] = value;
        }

        return values;
    }
}
