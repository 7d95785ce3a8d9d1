using Org.BouncyCastle.Tls;
using Switchboard.Media.Dtls;

namespace Switchboard.Media.Tests.Dtls;

public sealed class DtlsRecordCheckTests
{
    [Fact]
    public void The_shortest_protected_fragment_is_the_suites_explicit_nonce_and_tag()
    {
        Assert.Equal(24, DtlsRecordCheck.MinimumProtectedFragment(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
        Assert.Equal(24, DtlsRecordCheck.MinimumProtectedFragment(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384));
        Assert.Equal(16, DtlsRecordCheck.MinimumProtectedFragment(CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256));
        Assert.Equal(0, DtlsRecordCheck.MinimumProtectedFragment(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(23)]
    public void A_protected_record_shorter_than_nonce_and_tag_is_found_in_any_place_of_the_datagram(int length)
    {
        Assert.True(DtlsRecordCheck.HasUndersizedProtectedRecord(DtlsRecords.Build(23, 1, length), 24));
        Assert.True(DtlsRecordCheck.HasUndersizedProtectedRecord([.. DtlsRecords.Build(22, 1, 40), .. DtlsRecords.Build(21, 1, length)], 24));
    }

    [Fact]
    public void Plaintext_records_whole_protected_ones_and_what_is_not_a_record_pass()
    {
        // Epoch 0 is not decrypted (a retransmitted handshake message may be short); a 24-byte protected record is
        // decrypted and, if forged, fails authentication, which BouncyCastle discards itself.
        Assert.False(DtlsRecordCheck.HasUndersizedProtectedRecord(DtlsRecords.Build(21, 0, 2), 24));
        Assert.False(DtlsRecordCheck.HasUndersizedProtectedRecord([.. DtlsRecords.Build(23, 1, 24), .. DtlsRecords.Build(21, 1, 26)], 24));
        Assert.False(DtlsRecordCheck.HasUndersizedProtectedRecord(DtlsRecords.Build(23, 1, 2), 0));

        // A header whose length runs past the datagram, or fewer bytes than a header: left to BouncyCastle.
        Assert.False(DtlsRecordCheck.HasUndersizedProtectedRecord(DtlsRecords.Build(23, 1, 40).AsSpan(0, 30), 24));
        Assert.False(DtlsRecordCheck.HasUndersizedProtectedRecord(new byte[12], 24));
        Assert.False(DtlsRecordCheck.HasUndersizedProtectedRecord([], 24));
    }
}
