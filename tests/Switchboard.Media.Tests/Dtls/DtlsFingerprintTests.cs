using System.Diagnostics;
using System.Text.RegularExpressions;
using Switchboard.Media.Dtls;
using Xunit.Abstractions;

namespace Switchboard.Media.Tests.Dtls;

public sealed partial class DtlsFingerprintTests(ITestOutputHelper output)
{
    [GeneratedRegex("^([0-9A-F]{2}:){31}[0-9A-F]{2}$")]
    private static partial Regex Sha256Value();

    [Fact]
    public void Generated_certificate_has_an_upper_case_sha256_fingerprint_that_matches_its_DER()
    {
        DtlsCertificate certificate = DtlsPair.ServerCertificate;

        Assert.Equal("sha-256", certificate.Fingerprint.Algorithm);
        Assert.Matches(Sha256Value(), certificate.Fingerprint.Value);
        Assert.True(certificate.Fingerprint.Matches(certificate.DerEncoded.Span));
        Assert.StartsWith("sha-256 ", certificate.Fingerprint.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Certificate_generation_cost_and_validity()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var clock = Stopwatch.StartNew();
        DtlsCertificate first = DtlsCertificate.Generate(time, TimeSpan.FromDays(30));
        double firstMs = clock.Elapsed.TotalMilliseconds;
        var warm = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            warm.Add(DtlsCertificate.Generate(time, TimeSpan.FromDays(30)).GenerationTime.TotalMilliseconds);
        }

        output.WriteLine($"certificate generation: first {firstMs:F1} ms (inner {first.GenerationTime.TotalMilliseconds:F1}), warm {string.Join(", ", warm.Select(w => w.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} ms");
        Assert.Equal(time.GetUtcNow().AddHours(-1), first.NotBefore);
        Assert.Equal(time.GetUtcNow().AddDays(30), first.NotAfter);
        Assert.NotEqual(first.Fingerprint, DtlsCertificate.Generate(time, TimeSpan.FromDays(30)).Fingerprint);
    }

    [Fact]
    public void Process_certificate_is_reused_and_renewed_near_expiry()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        DtlsCertificate a = DtlsCertificate.GetProcessCertificate(time);
        Assert.Same(a, DtlsCertificate.GetProcessCertificate(time));

        time.Advance(DtlsCertificate.DefaultValidity);
        DtlsCertificate b = DtlsCertificate.GetProcessCertificate(time);
        Assert.NotSame(a, b);
        Assert.True(b.NotAfter > time.GetUtcNow());
    }

    [Fact]
    public void Sdp_fingerprint_matches_case_insensitively()
    {
        DtlsCertificate certificate = DtlsPair.ServerCertificate;
        string lower = certificate.Fingerprint.Value.ToLowerInvariant();

        Assert.True(DtlsFingerprint.TryParse("SHA-256 " + lower, out DtlsFingerprint? parsed));
        Assert.Equal(certificate.Fingerprint, parsed);
        Assert.True(parsed.Matches(certificate.DerEncoded.Span));
        Assert.Equal(certificate.Fingerprint.Value, parsed.Value);
    }

    [Fact]
    public void Static_helper_compares_a_peer_certificate_with_an_sdp_algorithm_and_value()
    {
        DtlsCertificate peer = DtlsPair.ClientCertificate;
        ReadOnlySpan<byte> der = peer.DerEncoded.Span;

        Assert.True(DtlsCertificate.MatchesFingerprint(der, "SHA-256", peer.Fingerprint.Value.ToLowerInvariant()));
        Assert.False(DtlsCertificate.MatchesFingerprint(der, "sha-256", DtlsPair.ServerCertificate.Fingerprint.Value));
        Assert.False(DtlsCertificate.MatchesFingerprint(der, "sha-384", peer.Fingerprint.Value)); // wrong length for sha-384
        Assert.False(DtlsCertificate.MatchesFingerprint(der, "md5", "00"));
    }

    [Fact]
    public void Different_certificate_does_not_match()
    {
        Assert.False(DtlsPair.ServerCertificate.Fingerprint.Matches(DtlsPair.ClientCertificate.DerEncoded.Span));
        Assert.False(DtlsFingerprint.MatchesAny([DtlsPair.ServerCertificate.Fingerprint], DtlsPair.ClientCertificate.DerEncoded.Span));
    }

    [Theory]
    [InlineData("sha-256 AB:CD")] // too short for sha-256
    [InlineData("md5 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89")] // not allowed
    [InlineData("sha-256")]
    [InlineData("sha-256 ZZ:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89")]
    [InlineData("sha-256 ABCDEF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:00")]
    [InlineData("sha-256 +A:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89")]
    public void Malformed_fingerprints_are_rejected(string attribute)
    {
        Assert.False(DtlsFingerprint.TryParse(attribute, out _));
    }

    [Fact]
    public void With_several_fingerprints_the_strongest_hash_decides()
    {
        byte[] der = DtlsPair.ClientCertificate.DerEncoded.ToArray();
        DtlsFingerprint sha1 = DtlsFingerprint.Compute(der, "sha-1");
        DtlsFingerprint sha256Wrong = DtlsPair.ServerCertificate.Fingerprint;
        DtlsFingerprint sha512 = DtlsFingerprint.Compute(der, "SHA-512");

        Assert.True(DtlsFingerprint.MatchesAny([sha1], der));
        Assert.False(DtlsFingerprint.MatchesAny([sha1, sha256Wrong], der)); // sha-256 outranks a matching sha-1
        Assert.True(DtlsFingerprint.MatchesAny([sha1, sha256Wrong, sha512], der));
        Assert.True(DtlsFingerprint.MatchesAny([sha256Wrong, DtlsPair.ClientCertificate.Fingerprint], der));
    }

    [Fact]
    public void Keying_material_lengths_follow_RFC_5764_and_7714()
    {
        Assert.Equal(60, DtlsSrtpProfile.KeyingMaterialLength(DtlsSrtpProfile.AesCm128HmacSha1_80));
        Assert.Equal(56, DtlsSrtpProfile.KeyingMaterialLength(DtlsSrtpProfile.AeadAes128Gcm));
        Assert.Equal([DtlsSrtpProfile.AesCm128HmacSha1_80, DtlsSrtpProfile.AeadAes128Gcm], DtlsSrtpProfile.DefaultPreference);
    }
}
