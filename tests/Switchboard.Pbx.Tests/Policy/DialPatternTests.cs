using Switchboard.Pbx.Policy;

namespace Switchboard.Pbx.Tests.Policy;

public class DialPatternTests
{
    [Theory]
    [InlineData("123", "123", true)]
    [InlineData("123", "1234", false)]
    [InlineData("123", "12", false)]
    [InlineData("1X", "10", true)]
    [InlineData("1X", "19", true)]
    [InlineData("1Z", "10", false)]
    [InlineData("1Z", "11", true)]
    [InlineData("1N", "11", false)]
    [InlineData("1N", "12", true)]
    [InlineData("1n", "19", true)]
    [InlineData("[1-3]0", "20", true)]
    [InlineData("[1-3]0", "40", false)]
    [InlineData("[137]", "3", true)]
    [InlineData("[137]", "2", false)]
    [InlineData("[0-25]", "5", true)]
    [InlineData("[0-25]", "3", false)]
    [InlineData("0.", "0", false)]
    [InlineData("0.", "01", true)]
    [InlineData("0.", "0123456789", true)]
    [InlineData("0.", "1", false)]
    [InlineData("+.", "+491701234", true)]
    [InlineData("+.", "00491701234", false)]
    [InlineData("+49.", "+49301234", true)]
    [InlineData("49.", "+49301234", false)]
    [InlineData("*4X", "*43", true)]
    [InlineData("1#", "1#", true)]
    [InlineData("X", "*", false)]
    public void Matches_as_documented(string pattern, string number, bool expected) =>
        Assert.Equal(expected, DialPattern.Parse(pattern).Matches(number));

    [Theory]
    [InlineData("12a", "'12a' has 'a', which is not a digit or pattern letter")]
    [InlineData("", "the pattern is empty")]
    [InlineData("0.1", "'0.1' has '.' that is not at its end after something to match")]
    [InlineData(".", "'.' has '.' that is not at its end after something to match")]
    [InlineData("+", "'+' matches nothing")]
    [InlineData("1[3-1]", "'1[3-1]' has a bad digit set at position 2 (write e.g. [1-5] or [137])")]
    [InlineData("1[", "'1[' has a bad digit set at position 2 (write e.g. [1-5] or [137])")]
    [InlineData("[]", "'[]' has a bad digit set at position 1 (write e.g. [1-5] or [137])")]
    public void A_bad_pattern_is_refused_with_the_reason(string pattern, string error)
    {
        Assert.False(DialPattern.TryParse(pattern, out _, out var why));
        Assert.Equal(error, why);
    }

    [Theory]
    [InlineData("123", 3)]
    [InlineData("0.", 2)]
    [InlineData("+49.", 4)]
    [InlineData("+.", 2)]
    public void The_shortest_match_is_known(string pattern, int length) =>
        Assert.Equal(length, DialPattern.Parse(pattern).MinLength);
}
