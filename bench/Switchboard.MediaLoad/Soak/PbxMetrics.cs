using System.Globalization;
using System.Net;

namespace Switchboard.MediaLoad.Soak;

/// <summary>The PBX's unlabelled <c>/metrics</c> values (Prometheus text, loopback only), by name.</summary>
internal static class PbxMetrics
{
    public static async Task<IReadOnlyDictionary<string, double>> ReadAsync(HttpClient http, IPEndPoint pbx, CancellationToken ct)
    {
        var text = await http.GetStringAsync(new Uri($"http://{pbx}/metrics"), ct);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#' || line.Contains('{', StringComparison.Ordinal))
            {
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                values[line[..space]] = value;
            }
        }

        return values;
    }

    public static double Get(this IReadOnlyDictionary<string, double> metrics, string name) =>
        metrics.TryGetValue(name, out var value) ? value : double.NaN;
}
