using Switchboard.Web.Api.Admin;

namespace Switchboard.Web.Tests.Api.Admin;

public sealed class CsrfTokensTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Fact]
    public void A_token_matches_only_its_own_session_under_the_same_key()
    {
        var tokens = new CsrfTokens(Key);
        var token = tokens.Issue("session-a");

        Assert.Matches("^[0-9a-f]{64}$", token);
        Assert.True(tokens.Matches("session-a", token));
        Assert.True(tokens.Matches("session-a", token.ToUpperInvariant()));
        Assert.False(tokens.Matches("session-b", token));
        Assert.False(new CsrfTokens([.. Key.Select(b => (byte)(b ^ 0xff))]).Matches("session-a", token));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    public void A_missing_short_or_malformed_token_never_matches(string? presented) =>
        Assert.False(new CsrfTokens(Key).Matches("session-a", presented));

    [Fact]
    public void A_token_with_one_digit_changed_does_not_match()
    {
        var tokens = new CsrfTokens(Key);
        var token = tokens.Issue("session-a");
        var changed = (token[0] == '0' ? "1" : "0") + token[1..];
        Assert.False(tokens.Matches("session-a", changed));
    }

    [Fact]
    public void A_short_key_is_refused() => Assert.Throws<ArgumentException>(() => new CsrfTokens(new byte[16]));
}
