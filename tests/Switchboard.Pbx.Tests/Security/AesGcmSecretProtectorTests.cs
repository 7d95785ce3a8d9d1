using System.Security.Cryptography;
using System.Text;
using Switchboard.Pbx.Security;

namespace Switchboard.Pbx.Tests.Security;

public class AesGcmSecretProtectorTests
{
    [Fact]
    public void Round_trips_and_never_contains_the_plain_text()
    {
        using var protector = new AesGcmSecretProtector(RandomNumberGenerator.GetBytes(32));
        var sealedSecret = protector.Protect("pässwörd-123");

        Assert.Equal("pässwörd-123", protector.Unprotect(sealedSecret));
        Assert.DoesNotContain("123", Encoding.UTF8.GetString(sealedSecret), StringComparison.Ordinal);
    }

    [Fact]
    public void Same_secret_seals_differently_each_time()
    {
        using var protector = new AesGcmSecretProtector(RandomNumberGenerator.GetBytes(32));
        Assert.NotEqual(protector.Protect("x"), protector.Protect("x"));
    }

    [Fact]
    public void Tampered_or_foreign_blobs_open_to_null()
    {
        using var protector = new AesGcmSecretProtector(RandomNumberGenerator.GetBytes(32));
        using var other = new AesGcmSecretProtector(RandomNumberGenerator.GetBytes(32));
        var blob = protector.Protect("secret");

        Assert.Null(other.Unprotect(blob));
        blob[^1] ^= 1;
        Assert.Null(protector.Unprotect(blob));
        Assert.Null(protector.Unprotect([1, 2, 3]));
    }
}
