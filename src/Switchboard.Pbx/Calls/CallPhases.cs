using System.Globalization;
using System.Text;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// One call's set-up marks (docs/call-records.md, <c>phases</c>): the PBX's own, in milliseconds since the
/// offer reached it, and the page's report, in milliseconds since the popup's navigation start. Each mark
/// keeps its first time. Marks come from the call's shard and the page's report from its socket's thread,
/// a handful per call, so a lock is simpler than a mailbox input and costs nothing measurable.
/// </summary>
public sealed class CallPhases
{
    /// <summary>The PBX's marks, in the order a browser echo call normally takes them.</summary>
    public static readonly IReadOnlyList<string> PbxNames =
        ["offer", "answer_sent", "ice_check", "dtls", "srtp_in", "srtp_out", "answered", "connected_sent"];

    private readonly Lock _gate = new();
    private readonly List<KeyValuePair<string, double>> _pbx = new(PbxNames.Count);
    private PagePhases? _page;

    public void Mark(string name, TimeSpan sinceOffer)
    {
        lock (_gate)
        {
            if (!_pbx.Exists(m => m.Key == name))
            {
                _pbx.Add(new(name, sinceOffer.TotalMilliseconds));
            }
        }
    }

    public bool Has(string name)
    {
        lock (_gate)
        {
            return _pbx.Exists(m => m.Key == name);
        }
    }

    /// <summary>The page reports once; a second report is ignored.</summary>
    public void SetPage(PagePhases page)
    {
        lock (_gate)
        {
            _page ??= page;
        }
    }

    public IReadOnlyList<KeyValuePair<string, double>> Pbx
    {
        get
        {
            lock (_gate)
            {
                return [.. _pbx];
            }
        }
    }

    public IReadOnlyList<KeyValuePair<string, double>> Page
    {
        get
        {
            lock (_gate)
            {
                return _page?.Marks ?? [];
            }
        }
    }

    /// <summary>Compact JSON, <c>{"pbx":{"offer":0,...},"page":{"parsed":12.5,...}}</c> (0.1 ms), or null with no marks at all.</summary>
    public string? ToJson()
    {
        var pbx = Pbx;
        var page = Page;
        if (pbx.Count == 0 && page.Count == 0)
        {
            return null;
        }

        var json = new StringBuilder(256).Append('{');
        Append(json, "pbx", pbx);
        json.Append(',');
        Append(json, "page", page);
        return json.Append('}').ToString();
    }

    private static void Append(StringBuilder json, string side, IReadOnlyList<KeyValuePair<string, double>> marks)
    {
        // Names are our own constants (the page's are checked against a fixed list): nothing to escape.
        json.Append('"').Append(side).Append("\":{");
        for (var i = 0; i < marks.Count; i++)
        {
            json.Append(i == 0 ? "" : ",").Append('"').Append(marks[i].Key).Append("\":")
                .Append(Math.Round(marks[i].Value, 1).ToString("0.#", CultureInfo.InvariantCulture));
        }

        json.Append('}');
    }
}
