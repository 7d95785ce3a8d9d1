using System.Net;
using Switchboard.SipLoad;

namespace Switchboard.MediaLoad.Soak;

/// <summary>The PBX's <c>/metrics</c> samples (Prometheus text, loopback only), by name (and labels, when it has any).</summary>
internal static class PbxMetrics
{
    public static async Task<IReadOnlyDictionary<string, double>> ReadAsync(HttpClient http, IPEndPoint pbx, CancellationToken ct) =>
        PrometheusText.Parse(await http.GetStringAsync(new Uri($"http://{pbx}/metrics"), ct));

    public static double Get(this IReadOnlyDictionary<string, double> metrics, string name) =>
        metrics.TryGetValue(name, out var value) ? value : double.NaN;
}
