using System.Diagnostics.CodeAnalysis;
using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Policy;

/// <summary>
/// "Numbers matching <see cref="Pattern"/> leave through <see cref="Trunk"/>, with <see cref="Strip"/> leading
/// characters removed and <see cref="Prefix"/> put in front" (issue 5, part 2).
/// </summary>
public sealed record DialRule(DialPattern Pattern, string Trunk, int Strip, string Prefix)
{
    /// <summary>Checks each field, naming the first bad one as the CLI writes it.</summary>
    public static bool TryCreate(string? pattern, string? trunk, int strip, string? prefix,
        [NotNullWhen(true)] out DialRule? rule, out string error)
    {
        rule = null;
        if (!DialPattern.TryParse(pattern, out var parsed, out var why))
        {
            error = "--pattern: " + why;
            return false;
        }

        if (!IsTrunkName(trunk))
        {
            error = $"--trunk: '{trunk}' is not a trunk name (1 to 64 letters, digits, '-', '_' or '.')";
            return false;
        }

        if (strip < 0 || strip >= parsed.MinLength)
        {
            error = $"--strip: {strip} must be at least 0 and leave a character of the shortest number '{parsed.Text}' matches";
            return false;
        }

        prefix ??= "";
        if (prefix.Length > 0 && prefix != "+" && !Names.IsDialString(prefix))
        {
            error = $"--prefix: '{prefix}' is not a dial string (optional '+', then digits, '*' or '#')";
            return false;
        }

        error = "";
        rule = new DialRule(parsed, trunk!, strip, prefix);
        return true;
    }

    public static bool IsTrunkName(string? name) =>
        name is { Length: >= 1 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The number the trunk is sent, for a number this rule matched.</summary>
    public string Rewrite(string number) => Prefix + number[Strip..];
}
