using Switchboard.Media.Srtp;
using static Switchboard.Media.Tests.Srtp.SrtpVectors;

namespace Switchboard.Media.Tests.Srtp;

public sealed class KeyDerivationTests
{
    [Fact]
    public void Rfc3711_B3_cipher_key()
    {
        var output = new byte[16];
        SrtpKeyDerivation.Derive(Hex(Rfc3711B3.MasterKey), Hex(Rfc3711B3.MasterSalt), SrtpKeyDerivation.RtpEncryption, output);
        Assert.Equal(Hex(Rfc3711B3.CipherKey), output);
    }

    [Fact]
    public void Rfc3711_B3_cipher_salt()
    {
        var output = new byte[14];
        SrtpKeyDerivation.Derive(Hex(Rfc3711B3.MasterKey), Hex(Rfc3711B3.MasterSalt), SrtpKeyDerivation.RtpSalt, output);
        Assert.Equal(Hex(Rfc3711B3.CipherSalt), output);
    }

    [Fact]
    public void Rfc3711_B3_auth_key_all_94_bytes()
    {
        var output = new byte[94];
        SrtpKeyDerivation.Derive(Hex(Rfc3711B3.MasterKey), Hex(Rfc3711B3.MasterSalt), SrtpKeyDerivation.RtpAuthentication, output);
        Assert.Equal(Hex(Rfc3711B3.AuthKey), output);
    }

    [Fact]
    public void Managed_fallback_derives_the_same_keys()
    {
        using var fallback = new Aes128Ctr(Hex(Rfc3711B3.MasterKey), useIntrinsics: false);
        Assert.False(fallback.UsesIntrinsics);
        var output = new byte[94];
        SrtpKeyDerivation.Derive(fallback, Hex(Rfc3711B3.MasterSalt), SrtpKeyDerivation.RtpAuthentication, output);
        Assert.Equal(Hex(Rfc3711B3.AuthKey), output);
    }
}
