using Switchboard.Pbx.Links;

namespace Switchboard.Pbx.Tests.Links;

public class SignedLinkHashTests
{
    // Expected digests computed outside .NET: printf '%s' "$user$pass$dest$time$duration" | md5sum
    [Theory]
    [InlineData("100@demo.local", "secret", "1234567890", "1700000000", "3600", "564996e6f547cbeb95c0190256ac890e")]
    [InlineData("user@domain.com", "p@ssw0rd", "12345678901", "1728000000", "07200", "3398e3f134429f1e779e74f6d1a1de79")]
    [InlineData("42@example.org", "Äöü€", "+4930123#*", "1700000000", "3600", "79f0f3da256c38c63aeba89a1087e099")]
    public void Hash_matches_md5_of_the_concatenation_computed_independently(string user, string pass, string dest, string time, string duration, string expected)
    {
        Assert.Equal(expected, SignedLinkHash.Compute(user, pass, dest, time, duration));
    }

    [Fact]
    public void Comparison_ignores_case_of_the_presented_hex()
    {
        var hash = SignedLinkHash.Compute("100@demo.local", "secret", "1234567890", "1700000000", "3600");
        Assert.True(SignedLinkHash.Matches(hash, hash.ToUpperInvariant()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("564996e6f547cbeb95c0190256ac890")]
    [InlineData("564996e6f547cbeb95c0190256ac890f")]
    [InlineData("564996e6f547cbeb95c0190256ac890e ")]
    public void Comparison_rejects_anything_else(string? presented)
    {
        Assert.False(SignedLinkHash.Matches("564996e6f547cbeb95c0190256ac890e", presented));
    }

    [Fact]
    public void Builder_writes_every_parameter_url_encoded_and_the_hash_verifies()
    {
        var link = SignedLinkBuilder.Build(new Uri("https://pbx.example:8443/"), "100@demo.local", "secret", "+49 30#", 1700000000, 3600, "de");

        Assert.Equal("https://pbx.example:8443/makecall.htm?destnumber=%2B49%2030%23&user=100%40demo.local&pass=" +
            SignedLinkHash.Compute("100@demo.local", "secret", "+49 30#", "1700000000", "3600") + "&time=1700000000&duration=3600&lang=de", link.AbsoluteUri);
    }
}
