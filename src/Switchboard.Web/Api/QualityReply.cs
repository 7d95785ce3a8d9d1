using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.Pbx.Calls;

namespace Switchboard.Web.Api;

/// <summary>One media leg's quality on the wire (docs/admin.md): <c>side</c> is <c>caller</c> or <c>callee</c>.</summary>
public sealed record LegQualityReply(string Side, double LossPercent, double JitterMs, double? RoundTripMs, double Mos)
{
    public static LegQualityReply Of(string side, LegQualityFigures figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        return new(side, figures.LossPercent, figures.JitterMs, figures.RoundTripMs, figures.Mos);
    }
}

/// <summary>
/// A call's quality on the wire: its measured legs, the lowest MOS of them, and (records only) the popup's own last
/// report as it was stored. Null as a whole when nothing was measured.
/// </summary>
public sealed record QualityReply(
    IReadOnlyList<LegQualityReply> Legs,
    double? Mos,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Page)
{
    public static QualityReply? Of(LegQualityFigures? caller, LegQualityFigures? callee, string? pageJson = null)
    {
        var legs = new List<LegQualityReply>(2);
        if (caller is not null)
        {
            legs.Add(LegQualityReply.Of("caller", caller));
        }

        if (callee is not null)
        {
            legs.Add(LegQualityReply.Of("callee", callee));
        }

        var page = StoredJson.Parse(pageJson);
        return legs.Count == 0 && page is null ? null : new QualityReply(legs, legs.Count == 0 ? null : legs.Min(l => l.Mos), page);
    }
}

/// <summary>JSON the PBX wrote into a record, back onto the wire; a damaged value is left out, not an error.</summary>
internal static class StoredJson
{
    public static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
