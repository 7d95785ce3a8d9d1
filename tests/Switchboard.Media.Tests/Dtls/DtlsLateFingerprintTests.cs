using Switchboard.Media.Dtls;

namespace Switchboard.Media.Tests.Dtls;

/// <summary>We offered: the client's certificate can arrive before the answer with its fingerprint.</summary>
public sealed class DtlsLateFingerprintTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static DtlsEndpointOptions LateServer(DtlsLateFingerprints late, TimeSpan? timeout = null) =>
        new()
        {
            Certificate = DtlsPair.ServerCertificate,
            LateRemoteFingerprints = late,
            HandshakeTimeout = timeout ?? TimeSpan.FromSeconds(10),
        };

    [Fact]
    public async Task The_certificate_check_waits_for_the_fingerprint_then_completes_verified()
    {
        using var late = new DtlsLateFingerprints();
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), LateServer(late));
        pair.Start();

        // The client's second flight (its certificate) goes out; the server holds there: no keys without a fingerprint.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (pair.Link.ClientToServer.Sent.Count < 2)
        {
            Assert.True(waited.Elapsed < Bound, "the client's certificate flight was not sent");
            await Task.Delay(10);
        }

        Assert.False(pair.ServerProbe.Keys.Task.IsCompleted);
        Assert.False(pair.ServerProbe.Failure.Task.IsCompleted);

        Assert.True(late.TrySet([DtlsPair.ClientCertificate.Fingerprint]));
        Assert.False(late.TrySet([DtlsPair.ClientCertificate.Fingerprint]));
        DtlsSrtpKeys server = await pair.ServerProbe.CompletedWithin(Bound);
        DtlsSrtpKeys client = await pair.ClientProbe.CompletedWithin(Bound);
        Assert.True(server.RemoteFingerprintVerified);
        Assert.Equal(server.KeyingMaterial, client.KeyingMaterial);
    }

    [Fact]
    public async Task A_late_fingerprint_that_does_not_match_fails_as_a_mismatch()
    {
        using var late = new DtlsLateFingerprints();
        late.TrySet([DtlsPair.StrangerCertificate.Fingerprint]);
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), LateServer(late));
        pair.Start();

        DtlsFailure server = await pair.ServerProbe.FailedWithin(Bound);
        Assert.Equal(DtlsFailureKind.FingerprintMismatch, server.Kind);
    }

    [Fact]
    public async Task No_fingerprint_before_the_deadline_fails_the_handshake()
    {
        using var late = new DtlsLateFingerprints();
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), LateServer(late, TimeSpan.FromMilliseconds(800)));
        pair.Start();

        DtlsFailure server = await pair.ServerProbe.FailedWithin(Bound);
        Assert.Equal(DtlsFailureKind.Timeout, server.Kind);
        Assert.False(pair.ServerProbe.Keys.Task.IsCompleted);
    }
}
