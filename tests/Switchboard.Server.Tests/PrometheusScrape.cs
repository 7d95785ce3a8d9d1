using System.Globalization;
using System.Text.RegularExpressions;

namespace Switchboard.Server.Tests;

/// <summary>One scrape of <c>/metrics</c> (Prometheus text format), read by metric name and labels.</summary>
internal sealed partial class PrometheusScrape
{
    private readonly Dictionary<string, List<(Dictionary<string, string> Labels, double Value)>> _series = new(StringComparer.Ordinal);

    private PrometheusScrape(string text)
    {
        Text = text;
        foreach (Match line in Line().Matches(text))
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in Label().Matches(line.Groups["labels"].Value))
            {
                labels[label.Groups[1].Value] = label.Groups[2].Value;
            }

            var name = line.Groups["name"].Value;
            if (!_series.TryGetValue(name, out var list))
            {
                _series[name] = list = [];
            }

            list.Add((labels, double.Parse(line.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }
    }

    public string Text { get; }

    public static async Task<PrometheusScrape> TakeAsync(Uri baseUrl)
    {
        using var http = new HttpClient { BaseAddress = baseUrl };
        return new PrometheusScrape(await http.GetStringAsync(new Uri("metrics", UriKind.Relative)));
    }

    /// <summary>The sum of the series of <paramref name="name"/> whose labels include <paramref name="labels"/> ("key=value"); 0 when there is none.</summary>
    public double Value(string name, params string[] labels)
    {
        var wanted = labels.Select(l => l.Split('=', 2)).ToArray();
        return _series.TryGetValue(name, out var list)
            ? list.Where(s => wanted.All(w => s.Labels.TryGetValue(w[0], out var v) && v == w[1])).Sum(s => s.Value)
            : 0;
    }

    /// <summary>The lines whose metric name starts with one of <paramref name="prefixes"/>, for a failure's message.</summary>
    public string Lines(params string[] prefixes) =>
        string.Join('\n', Text.Split('\n').Where(l => prefixes.Any(p => l.StartsWith(p, StringComparison.Ordinal))));

    // name{labels} value [timestamp]
    [GeneratedRegex("^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(?<labels>[^}]*)\\})? (?<value>[-+0-9.eE]+|NaN|\\+Inf)(?: \\d+)?\\r?$", RegexOptions.Multiline)]
    private static partial Regex Line();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Label();
}
