using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Web.Hosting;

/// <summary>
/// A page from wwwroot served with its own stylesheet and deferred scripts inside it, so that the browser runs
/// the page's script without fetching anything else first, plus a JSON data block the server fills per request.
/// The page file stays plain HTML that names its files (<c>&lt;link rel="stylesheet" href="x.css"&gt;</c>,
/// <c>&lt;script src="x.js" defer&gt;&lt;/script&gt;</c>); the stylesheet takes the link's place, and the scripts,
/// in their order, go at the end of <c>body</c>, after the data block, where a deferred script would have run.
/// The Content-Security-Policy allows exactly these inline texts by their SHA-256 hashes (CSP 3, section 8.2);
/// a data block (<c>type="application/json"</c>) is never executed, so it needs none.
/// </summary>
public sealed partial class InlinedPage
{
    /// <summary>The id of the JSON data block, for the page's script.</summary>
    public const string DataId = "sb-boot";

    private readonly byte[] _beforeData;
    private readonly byte[] _afterData;

    private InlinedPage(string before, string after, IReadOnlyList<string> scriptHashes, IReadOnlyList<string> styleHashes)
    {
        _beforeData = Encoding.UTF8.GetBytes(before + "<script type=\"application/json\" id=\"" + DataId + "\">");
        _afterData = Encoding.UTF8.GetBytes("</script>\n" + after);
        ScriptHashes = scriptHashes;
        StyleHashes = styleHashes;
    }

    /// <summary>CSP source expressions (<c>'sha256-...'</c>) of the inline scripts, in page order.</summary>
    public IReadOnlyList<string> ScriptHashes { get; }

    /// <summary>CSP source expressions of the inline stylesheets.</summary>
    public IReadOnlyList<string> StyleHashes { get; }

    /// <summary>The page's size without its data block.</summary>
    public int FixedLength => _beforeData.Length + _afterData.Length;

    [GeneratedRegex("""<link rel="stylesheet" href="(?<file>[a-z0-9-]+\.css)">""")]
    private static partial Regex StyleLink();

    [GeneratedRegex("""<script src="(?<file>[a-z0-9-]+\.js)" defer></script>\n?""")]
    private static partial Regex DeferredScript();

    /// <summary>Reads <paramref name="page"/> and the files it names from <paramref name="webRoot"/>; throws if one is missing or cannot be inlined.</summary>
    public static InlinedPage Load(string webRoot, string page)
    {
        var html = File.ReadAllText(Path.Combine(webRoot, page));
        var styleHashes = new List<string>();
        html = StyleLink().Replace(html, m =>
        {
            var css = Asset(webRoot, m.Groups["file"].Value, "</style");
            styleHashes.Add(Hash(css));
            return "<style>" + css + "</style>";
        });

        var scripts = new List<string>();
        html = DeferredScript().Replace(html, m =>
        {
            scripts.Add(Asset(webRoot, m.Groups["file"].Value, "</script"));
            return "";
        });

        var end = html.LastIndexOf("</body>", StringComparison.Ordinal);
        if (end < 0)
        {
            throw new InvalidDataException(page + " has no </body>");
        }

        var after = new StringBuilder();
        foreach (var script in scripts)
        {
            after.Append("<script>").Append(script).Append("</script>\n");
        }

        after.Append(html, end, html.Length - end);
        return new InlinedPage(html[..end], after.ToString(), scripts.Select(Hash).ToList(), styleHashes);
    }

    /// <summary>
    /// <paramref name="policy"/> with this page's hashes added to its <c>script-src</c> and <c>style-src</c>
    /// (both must be present in it).
    /// </summary>
    public string PolicyFor(string policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Add(Add(policy, "script-src", ScriptHashes), "style-src", StyleHashes);
    }

    /// <summary>
    /// Writes the page with <paramref name="dataJson"/> in its data block. The JSON's <c>&lt;</c>, <c>&gt;</c> and
    /// <c>&amp;</c> are written as \u escapes, so no value can end the block (HTML, section 4.12.1.3).
    /// </summary>
    public async Task WriteAsync(HttpResponse response, string dataJson)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(dataJson);
        var data = Encoding.UTF8.GetBytes(EscapeForScript(dataJson));
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = _beforeData.Length + data.Length + _afterData.Length;
        await response.Body.WriteAsync(_beforeData);
        await response.Body.WriteAsync(data);
        await response.Body.WriteAsync(_afterData);
    }

    /// <summary>JSON whose markup characters are escaped (inside strings, the only place they can be: same value).</summary>
    internal static string EscapeForScript(string json) => json
        .Replace("<", "\\u003c", StringComparison.Ordinal)
        .Replace(">", "\\u003e", StringComparison.Ordinal)
        .Replace("&", "\\u0026", StringComparison.Ordinal);

    private static string Asset(string webRoot, string file, string forbidden)
    {
        var text = File.ReadAllText(Path.Combine(webRoot, file));
        if (text.Contains(forbidden, StringComparison.OrdinalIgnoreCase) || text.Contains("<!--", StringComparison.Ordinal))
        {
            throw new InvalidDataException(file + " cannot be inlined: it contains " + forbidden + " or <!--");
        }

        return text;
    }

    private static string Hash(string text) => "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text))) + "'";

    private static string Add(string policy, string directive, IReadOnlyList<string> sources)
    {
        if (sources.Count == 0)
        {
            return policy;
        }

        var at = policy.IndexOf(directive + " ", StringComparison.Ordinal);
        if (at < 0)
        {
            throw new ArgumentException("The policy has no " + directive, nameof(policy));
        }

        var end = policy.IndexOf(';', at);
        end = end < 0 ? policy.Length : end;
        return policy[..end] + " " + string.Join(' ', sources) + policy[end..];
    }
}
