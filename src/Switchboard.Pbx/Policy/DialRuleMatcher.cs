namespace Switchboard.Pbx.Policy;

/// <summary>The rule that won, and the number it makes.</summary>
public sealed record DialRuleMatch(DialRule Rule, string Number);

/// <summary>First match wins: the caller's own rules, then the domain's (issue 5, part 2).</summary>
public static class DialRuleMatcher
{
    public static DialRuleMatch? Match(IEnumerable<DialRule> extensionRules, IEnumerable<DialRule> domainRules, string number)
    {
        foreach (var rule in extensionRules.Concat(domainRules))
        {
            if (rule.Pattern.Matches(number))
            {
                return new DialRuleMatch(rule, rule.Rewrite(number));
            }
        }

        return null;
    }
}
