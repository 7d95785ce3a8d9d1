using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Pbx.Policy;

/// <summary>Sets of <see cref="NumberClass"/> as users write them: <c>national,international</c>.</summary>
public static class NumberClasses
{
    /// <summary>What an extension may dial until told otherwise: premium and international are blocked (toll fraud).</summary>
    public static IReadOnlySet<NumberClass> DefaultAllowed { get; } =
        new HashSet<NumberClass> { NumberClass.Internal, NumberClass.Emergency, NumberClass.TollFree, NumberClass.National };

    public static string Format(IEnumerable<NumberClass> classes) =>
        string.Join(',', classes.Order().Select(Name));

    public static string Name(NumberClass value) => value switch
    {
        NumberClass.TollFree => "tollfree",
        _ => value.ToString().ToLowerInvariant(),
    };

    public static bool TryParseOne(string text, out NumberClass value)
    {
        foreach (var candidate in Enum.GetValues<NumberClass>())
        {
            if (string.Equals(Name(candidate), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Parses a comma-separated list; the error names the unknown word.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out IReadOnlySet<NumberClass>? classes, out string error)
    {
        classes = null;
        error = "";
        var set = new HashSet<NumberClass>();
        foreach (var word in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TryParseOne(word, out var value))
            {
                error = $"'{word}' is not a number class (one of {string.Join(", ", Enum.GetValues<NumberClass>().Select(Name))})";
                return false;
            }

            set.Add(value);
        }

        classes = set;
        return true;
    }
}
