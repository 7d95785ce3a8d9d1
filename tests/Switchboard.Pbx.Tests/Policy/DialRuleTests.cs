using Switchboard.Pbx.Policy;

namespace Switchboard.Pbx.Tests.Policy;

public class DialRuleTests
{
    private static DialRule Rule(string pattern, string trunk, int strip = 0, string prefix = "") =>
        DialRule.TryCreate(pattern, trunk, strip, prefix, out var rule, out var error) ? rule : throw new ArgumentException(error);

    [Theory]
    [InlineData("0.", 1, "+49", "0301234", "+49301234")]
    [InlineData("00.", 2, "+", "0044201234", "+44201234")]
    [InlineData("NXXXXXX", 0, "030", "5551234", "0305551234")]
    [InlineData("+.", 0, "", "+4930", "+4930")]
    [InlineData("+49.", 3, "0", "+49301234", "0301234")]
    public void A_rule_strips_then_prefixes(string pattern, int strip, string prefix, string number, string sent) =>
        Assert.Equal(sent, Rule(pattern, "carrier", strip, prefix).Rewrite(number));

    [Theory]
    [InlineData("12a", "t", 0, "", "--pattern: '12a' has 'a', which is not a digit or pattern letter")]
    [InlineData("0.", "bad name", 0, "", "--trunk: 'bad name' is not a trunk name (1 to 64 letters, digits, '-', '_' or '.')")]
    [InlineData("0.", "t", 2, "", "--strip: 2 must be at least 0 and leave a character of the shortest number '0.' matches")]
    [InlineData("0.", "t", -1, "", "--strip: -1 must be at least 0 and leave a character of the shortest number '0.' matches")]
    [InlineData("0.", "t", 0, "49a", "--prefix: '49a' is not a dial string (optional '+', then digits, '*' or '#')")]
    public void A_bad_field_is_named(string pattern, string trunk, int strip, string prefix, string error)
    {
        Assert.False(DialRule.TryCreate(pattern, trunk, strip, prefix, out _, out var why));
        Assert.Equal(error, why);
    }

    [Fact]
    public void The_first_matching_rule_wins_and_the_extensions_own_rules_come_first()
    {
        DialRule[] domain = [Rule("0900.", "premium"), Rule("0.", "national", 1, "+49"), Rule("X.", "catch-all")];
        DialRule[] own = [Rule("01[5-7].", "mobile-cheap")];

        Assert.Equal("premium", DialRuleMatcher.Match([], domain, "09001234")!.Rule.Trunk);
        Assert.Equal("national", DialRuleMatcher.Match([], domain, "0301234")!.Rule.Trunk);
        Assert.Equal("+49301234", DialRuleMatcher.Match([], domain, "0301234")!.Number);
        Assert.Equal("catch-all", DialRuleMatcher.Match([], domain, "5551234")!.Rule.Trunk);
        Assert.Equal("mobile-cheap", DialRuleMatcher.Match(own, domain, "01701234")!.Rule.Trunk);
        Assert.Equal("national", DialRuleMatcher.Match(own, domain, "01801234")!.Rule.Trunk);
        Assert.Null(DialRuleMatcher.Match(own, domain, "+4930"));
    }
}
