using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Tests.Directory;

public class NamesTests
{
    [Theory]
    [InlineData("100", true)]
    [InlineData("+4930123456", true)]
    [InlineData("*97#", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("+", false)]
    [InlineData("12a", false)]
    [InlineData("1 2", false)]
    [InlineData("100;drop", false)]
    [InlineData("123456789012345678901234567890123", false)]
    public void Dial_strings(string? value, bool valid) => Assert.Equal(valid, Names.IsDialString(value));

    [Theory]
    [InlineData("100", "demo.local", "100", "demo.local")]
    [InlineData("100@Example.COM", "demo.local", "100", "example.com")]
    [InlineData(" 101@demo.local ", "x", "101", "demo.local")]
    public void Accounts_parse_with_the_default_domain(string text, string defaultDomain, string number, string domain)
    {
        Assert.True(AccountName.TryParse(text, defaultDomain, out var account));
        Assert.Equal(new AccountName(number, domain), account);
    }

    [Theory]
    [InlineData("")]
    [InlineData("alice")]
    [InlineData("100@")]
    [InlineData("100@-bad-.com")]
    [InlineData("100@a b")]
    public void Bad_accounts_do_not_parse(string text) => Assert.False(AccountName.TryParse(text, "demo.local", out _));
}
