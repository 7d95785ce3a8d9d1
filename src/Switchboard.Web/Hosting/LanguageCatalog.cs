using System.Text.Json;

namespace Switchboard.Web.Hosting;

/// <summary>
/// The popup's languages: one <c>i18n/&lt;code&gt;.json</c> file each, so adding a language is adding a
/// file (spec 2.5). Picks the language by the <c>lang</c> parameter, then the session's, then
/// <c>Accept-Language</c>, then English.
/// </summary>
public sealed class LanguageCatalog
{
    public const string Fallback = "en";

    private readonly Dictionary<string, JsonElement> _tables;

    public LanguageCatalog(string webRoot)
    {
        var folder = Path.Combine(webRoot, "i18n");
        var languages = new List<Language>();
        var tables = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (System.IO.Directory.Exists(folder))
        {
            foreach (var file in System.IO.Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                var code = Path.GetFileNameWithoutExtension(file);
                if (!IsCode(code))
                {
                    continue;
                }

                using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
                var name = doc.RootElement.TryGetProperty("_name", out var n) ? n.GetString() ?? code : code;
                languages.Add(new Language(code, name));
                tables[code] = doc.RootElement.Clone();
            }
        }

        Languages = languages;
        _tables = tables;
    }

    public IReadOnlyList<Language> Languages { get; }

    /// <summary>A language's translation table as its file has it, for a page that carries its texts (<see cref="Resolve"/> gives a supported code).</summary>
    public JsonElement? Texts(string code) => _tables.TryGetValue(code, out var table) ? table : null;

    public bool Supports(string? code) => code is not null && Languages.Any(l => string.Equals(l.Code, code, StringComparison.OrdinalIgnoreCase));

    public string Resolve(string? requested, string? session, string? acceptLanguage)
    {
        if (Supports(requested))
        {
            return requested!.ToLowerInvariant();
        }

        if (Supports(session))
        {
            return session!.ToLowerInvariant();
        }

        foreach (var candidate in ParseAcceptLanguage(acceptLanguage))
        {
            if (Supports(candidate))
            {
                return candidate;
            }
        }

        return Fallback;
    }

    /// <summary>The primary subtags of an Accept-Language header, best quality first (RFC 9110 section 12.5.4).</summary>
    internal static IEnumerable<string> ParseAcceptLanguage(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return [];
        }

        var ranked = new List<(string Code, double Quality, int Order)>();
        var parts = header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < parts.Length && i < 32; i++)
        {
            var pieces = parts[i].Split(';', StringSplitOptions.TrimEntries);
            var tag = pieces[0].Split('-')[0].ToLowerInvariant();
            var quality = 1.0;
            foreach (var p in pieces.Skip(1))
            {
                if (p.StartsWith("q=", StringComparison.OrdinalIgnoreCase) &&
                    double.TryParse(p.AsSpan(2), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var q))
                {
                    quality = q;
                }
            }

            if (IsCode(tag) && quality > 0)
            {
                ranked.Add((tag, quality, i));
            }
        }

        return ranked.OrderByDescending(r => r.Quality).ThenBy(r => r.Order).Select(r => r.Code);
    }

    private static bool IsCode(string code) => code.Length is >= 2 and <= 8 && code.All(char.IsAsciiLetterLower);

    public sealed record Language(string Code, string Name);
}
