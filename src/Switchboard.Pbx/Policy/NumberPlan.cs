namespace Switchboard.Pbx.Policy;

/// <summary>
/// Decides the class of an external dial string from per-domain patterns, tried in this order:
/// emergency, premium, toll-free, international; anything else external is national (it costs what a
/// national call costs, local calls included). Defaults suit Europe and North America; see docs/dialplan.md.
/// </summary>
public sealed record NumberPlan(
    IReadOnlyList<DialPattern> Emergency,
    IReadOnlyList<DialPattern> Premium,
    IReadOnlyList<DialPattern> TollFree,
    IReadOnlyList<DialPattern> International)
{
    /// <summary>The classes whose patterns a domain may set; the others are what is left (national) or not external.</summary>
    public static IReadOnlyList<NumberClass> Configurable { get; } =
        [NumberClass.Emergency, NumberClass.Premium, NumberClass.TollFree, NumberClass.International];

    public static NumberPlan Default { get; } = new(
        Patterns("112", "911"),
        Patterns("0900.", "0190.", "1900.", "+1900.", "+49900."),
        Patterns("0800.", "1800.", "1888.", "1877.", "1866."),
        Patterns("00.", "+."));

    public NumberClass Classify(string number)
    {
        if (Emergency.Any(p => p.Matches(number)))
        {
            return NumberClass.Emergency;
        }

        if (Premium.Any(p => p.Matches(number)))
        {
            return NumberClass.Premium;
        }

        if (TollFree.Any(p => p.Matches(number)))
        {
            return NumberClass.TollFree;
        }

        return International.Any(p => p.Matches(number)) ? NumberClass.International : NumberClass.National;
    }

    /// <summary>One configurable class's patterns.</summary>
    public IReadOnlyList<DialPattern> PatternsOf(NumberClass numberClass) => numberClass switch
    {
        NumberClass.Emergency => Emergency,
        NumberClass.Premium => Premium,
        NumberClass.TollFree => TollFree,
        NumberClass.International => International,
        _ => throw new ArgumentOutOfRangeException(nameof(numberClass), numberClass, "not a configurable class"),
    };

    /// <summary>This plan with one class's patterns replaced; an empty list restores the default for that class.</summary>
    public NumberPlan With(NumberClass numberClass, IReadOnlyList<DialPattern> patterns) => numberClass switch
    {
        NumberClass.Emergency => this with { Emergency = patterns.Count > 0 ? patterns : Default.Emergency },
        NumberClass.Premium => this with { Premium = patterns.Count > 0 ? patterns : Default.Premium },
        NumberClass.TollFree => this with { TollFree = patterns.Count > 0 ? patterns : Default.TollFree },
        NumberClass.International => this with { International = patterns.Count > 0 ? patterns : Default.International },
        _ => throw new ArgumentOutOfRangeException(nameof(numberClass), numberClass, "not a configurable class"),
    };

    private static DialPattern[] Patterns(params string[] texts) => [.. texts.Select(DialPattern.Parse)];
}
