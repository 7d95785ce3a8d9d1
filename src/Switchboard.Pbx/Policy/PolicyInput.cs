using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Switchboard.Pbx.Policy;

/// <summary>
/// The checks on policy settings as an administrator types them, shared by the CLI verbs and the admin API so the two
/// accept and refuse the same things. Each error starts with the CLI option it is about (<c>--per-minute: ...</c>);
/// the API names the same field.
/// </summary>
public static class PolicyInput
{
    /// <summary>A limit as typed: a count of 0 or more, or <c>none</c>.</summary>
    public static bool TryParseLimit(string field, string text, out int? limit, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        limit = null;
        error = "";
        if (string.Equals(text, "none", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            limit = value;
            return true;
        }

        error = $"{field}: '{text}' is not a count (0 or more) or 'none'";
        return false;
    }

    /// <summary>A dial rule's position: 1 is first; null puts it last.</summary>
    public static string? CheckPosition(int? position) =>
        position is < 1 ? string.Create(CultureInfo.InvariantCulture, $"--position: {position} must be 1 or more") : null;

    /// <summary>
    /// The classes an extension may dial, comma-separated. Internal and emergency are always added: an extension that
    /// could not call its colleagues or 112 is a mistake, never a policy.
    /// </summary>
    public static bool TryParsePermissions(string? text, [NotNullWhen(true)] out IReadOnlySet<NumberClass>? allowed, out string error)
    {
        allowed = null;
        if (!NumberClasses.TryParse(text, out var classes, out error))
        {
            error = "--allow: " + error;
            return false;
        }

        allowed = new HashSet<NumberClass>(classes) { NumberClass.Internal, NumberClass.Emergency };
        return true;
    }

    /// <summary>A class whose patterns a domain may set: emergency, premium, tollfree or international.</summary>
    public static bool TryParseConfigurableClass(string? text, out NumberClass numberClass, out string error)
    {
        if (text is not null && NumberClasses.TryParseOne(text, out numberClass) && NumberPlan.Configurable.Contains(numberClass))
        {
            error = "";
            return true;
        }

        numberClass = default;
        error = $"--class: '{text}' is not one of {string.Join(", ", NumberPlan.Configurable.Select(NumberClasses.Name))}";
        return false;
    }

    /// <summary>Comma-separated patterns for a number class; none at all restores the class's default.</summary>
    public static bool TryParsePatterns(string? text, [NotNullWhen(true)] out IReadOnlyList<DialPattern>? patterns, out string error)
    {
        patterns = null;
        var parsed = new List<DialPattern>();
        foreach (var item in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!DialPattern.TryParse(item, out var pattern, out var why))
            {
                error = "--patterns: " + why;
                return false;
            }

            parsed.Add(pattern);
        }

        error = "";
        patterns = parsed;
        return true;
    }
}
