using Switchboard.Pbx.Links;
using Switchboard.Pbx.Security;

namespace Switchboard.Pbx.Tests.Links;

public class SignedLinkCheckerTests
{
    private const string Password = "secret";
    private const long Created = 1_700_000_000;
    private static readonly SignedLinkChecker Checker = new(new SecurityOptions());

    private static SignedLinkRequest Link(long time = Created, long duration = 3600, string dest = "101", string? hashFor = null) =>
        new(dest, "100@demo.local", SignedLinkHash.Compute("100@demo.local", Password, hashFor ?? dest, time.ToString(System.Globalization.CultureInfo.InvariantCulture), duration.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            time.ToString(System.Globalization.CultureInfo.InvariantCulture), duration.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static DateTimeOffset At(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds);

    [Theory]
    [InlineData(Created, SignedLinkVerdict.Valid)]
    [InlineData(Created + 3599, SignedLinkVerdict.Valid)]
    [InlineData(Created + 3600, SignedLinkVerdict.Expired)]
    [InlineData(Created - 300, SignedLinkVerdict.Valid)]
    [InlineData(Created - 301, SignedLinkVerdict.NotYetValid)]
    public void Window_is_time_minus_skew_inclusive_to_time_plus_duration_exclusive(long now, SignedLinkVerdict expected)
    {
        Assert.Equal(expected, Checker.Check(Link(), Password, At(now)));
    }

    [Fact]
    public void Duration_over_the_cap_is_refused_not_shortened()
    {
        Assert.Equal(SignedLinkVerdict.Valid, Checker.Check(Link(duration: 7200), Password, At(Created + 10)));
        Assert.Equal(SignedLinkVerdict.DurationTooLong, Checker.Check(Link(duration: 7201), Password, At(Created + 10)));
    }

    [Fact]
    public void The_cap_is_configurable()
    {
        var strict = new SignedLinkChecker(new SecurityOptions { MaxLinkDuration = TimeSpan.FromMinutes(10) });
        Assert.Equal(SignedLinkVerdict.DurationTooLong, strict.Check(Link(duration: 601), Password, At(Created)));
    }

    [Fact]
    public void A_hash_for_another_destination_is_forged()
    {
        Assert.Equal(SignedLinkVerdict.Forged, Checker.Check(Link(dest: "102", hashFor: "101"), Password, At(Created)));
    }

    [Fact]
    public void A_wrong_password_or_unknown_account_is_forged_even_when_also_expired()
    {
        Assert.Equal(SignedLinkVerdict.Forged, Checker.Check(Link(), "other", At(Created + 99999)));
        Assert.Equal(SignedLinkVerdict.Forged, Checker.Check(Link(), null, At(Created)));
    }

    [Theory]
    [InlineData("abc", "3600")]
    [InlineData("1700000000", "-5")]
    [InlineData("1700000000", "0")]
    [InlineData("1700000000", "1e3")]
    [InlineData("99999999999999999999", "3600")]
    [InlineData(null, "3600")]
    public void Non_numeric_or_missing_time_and_duration_are_malformed(string? time, string? duration)
    {
        var link = new SignedLinkRequest("101", "100@demo.local", "00", time, duration);
        Assert.Equal(SignedLinkVerdict.Malformed, Checker.Check(link, Password, At(Created)));
    }
}
