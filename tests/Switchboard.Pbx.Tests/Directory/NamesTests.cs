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

    [Theory]
    [InlineData("100", true)]
    [InlineData("0", true)]
    [InlineData("1234567890123456", true)]
    [InlineData("12345678901234567", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("10a", false)]
    [InlineData("+100", false)]
    [InlineData("١٢٣", false)]
    public void Extension_numbers(string? value, bool valid) => Assert.Equal(valid, Names.IsExtensionNumber(value));

    [Theory]
    [InlineData("demo.local", true)]
    [InlineData("a", true)]
    [InlineData("pbx-1.example.com", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("example..com", false)]
    [InlineData(".example.com", false)]
    [InlineData("example.com.", false)]
    [InlineData("-a.com", false)]
    [InlineData("a-.com", false)]
    [InlineData("a_b.com", false)]
    [InlineData("exämple.com", false)]
    [InlineData("1234567890123456789012345678901234567890123456789012345678901234.com", false)]
    public void Domain_names(string? value, bool valid) => Assert.Equal(valid, Names.IsDomainName(value));
}
