using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Media.Dtls;
using Xunit.Abstractions;

namespace Switchboard.Media.Tests.Dtls;

/// <summary>
/// Client and server endpoints handshaking in memory over a simulated link. BouncyCastle's
/// retransmission timers read the wall clock, so the loss tests take about one second of real
/// time (RFC 6347's initial 1 s retransmission timer); every wait is bounded.
/// </summary>
public sealed class DtlsHandshakeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Clean_handshake_negotiates_AES_CM_by_default_and_both_sides_export_the_same_60_bytes()
    {
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), DtlsPair.ServerOptions());
        pair.Start();

        DtlsSrtpKeys server = await pair.ServerProbe.CompletedWithin(Bound);
        DtlsSrtpKeys client = await pair.ClientProbe.CompletedWithin(Bound);

        Assert.Equal(DtlsSrtpProfile.AesCm128HmacSha1_80, server.SrtpProfileId);
        Assert.Equal(DtlsSrtpProfile.AesCm128HmacSha1_80, client.SrtpProfileId);
        Assert.Equal(60, server.KeyingMaterial.Length);
        Assert.Equal(server.KeyingMaterial, client.KeyingMaterial);
        Assert.Contains(server.KeyingMaterial, b => b != 0);
        Assert.True(server.IsServer);
        Assert.False(client.IsServer);
        Assert.True(server.RemoteFingerprintVerified);
        Assert.True(client.RemoteFingerprintVerified);
        Assert.Equal(DtlsPair.ClientCertificate.Fingerprint, server.RemoteFingerprint);
        Assert.Equal(DtlsPair.ServerCertificate.Fingerprint, client.RemoteFingerprint);
        output.WriteLine($"server handshake {pair.Server.HandshakeDuration?.TotalMilliseconds:F1} ms, client {pair.Client.HandshakeDuration?.TotalMilliseconds:F1} ms");
    }

    [Fact]
    public async Task Server_preferring_GCM_negotiates_AEAD_AES_128_GCM_with_56_bytes_of_keying_material()
    {
        ushort[] gcmFirst = [DtlsSrtpProfile.AeadAes128Gcm, DtlsSrtpProfile.AesCm128HmacSha1_80];
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), DtlsPair.ServerOptions(profiles: gcmFirst));
        pair.Start();

        DtlsSrtpKeys server = await pair.ServerProbe.CompletedWithin(Bound);
        DtlsSrtpKeys client = await pair.ClientProbe.CompletedWithin(Bound);

        Assert.Equal(DtlsSrtpProfile.AeadAes128Gcm, server.SrtpProfileId);
        Assert.Equal(DtlsSrtpProfile.AeadAes128Gcm, client.SrtpProfileId);
        Assert.Equal(56, server.KeyingMaterial.Length);
        Assert.Equal(server.KeyingMaterial, client.KeyingMaterial);
    }

    [Fact]
    public async Task Server_takes_the_only_profile_the_client_offers()
    {
        await using var pair = new DtlsPair(
            DtlsPair.ClientOptions(profiles: [DtlsSrtpProfile.AeadAes128Gcm]),
            DtlsPair.ServerOptions());
        pair.Start();

        Assert.Equal(DtlsSrtpProfile.AeadAes128Gcm, (await pair.ServerProbe.CompletedWithin(Bound)).SrtpProfileId);
        Assert.Equal(DtlsSrtpProfile.AeadAes128Gcm, (await pair.ClientProbe.CompletedWithin(Bound)).SrtpProfileId);
    }

    [Fact]
    public async Task No_common_SRTP_profile_fails_both_sides()
    {
        await using var pair = new DtlsPair(
            DtlsPair.ClientOptions(profiles: [DtlsSrtpProfile.AeadAes128Gcm]),
            DtlsPair.ServerOptions(profiles: [DtlsSrtpProfile.AesCm128HmacSha1_80]));
        pair.Start();

        DtlsFailure server = await pair.ServerProbe.FailedWithin(Bound);
        DtlsFailure client = await pair.ClientProbe.FailedWithin(Bound);

        Assert.Equal(DtlsFailureKind.NoCommonSrtpProfile, server.Kind);
        Assert.Equal(DtlsFailureKind.AlertReceived, client.Kind);
    }

    [Fact]
    public async Task First_flight_fragmented_reordered_and_partly_lost_completes_after_a_retransmission()
    {
        // A ~1.6 KB ClientHello over a 600-byte MTU: three fragments. The second is lost and the
        // other two arrive in reverse order, so the server cannot reassemble it until the client
        // retransmits the flight (RFC 6347 section 4.2.4).
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(mtu: 600, padding: 1300), DtlsPair.ServerOptions());
        pair.Link.ClientToServer.Drop = (index, _) => index == 1;
        pair.Link.ClientToServer.ReverseFirst = 2;
        pair.Start();

        DtlsSrtpKeys server = await pair.ServerProbe.CompletedWithin(Bound);
        DtlsSrtpKeys client = await pair.ClientProbe.CompletedWithin(Bound);

        Assert.Equal(server.KeyingMaterial, client.KeyingMaterial);
        List<DtlsRecords.HandshakeFragment> sent = DtlsRecords.ClientHelloFragments(pair.Link.ClientToServer.Sent);
        int firstFlight = sent.Count(f => f.FragmentOffset == 0) is > 1
            ? sent.FindIndex(1, f => f.FragmentOffset == 0)
            : sent.Count;
        Assert.True(firstFlight >= 3, $"expected the ClientHello in 3+ fragments, saw {firstFlight}");
        Assert.True(sent.Count > firstFlight, "expected the client to retransmit its ClientHello");
        Assert.Equal(1, pair.Link.ClientToServer.DroppedCount);
    }

    [Fact]
    public async Task Lost_first_server_flight_is_retransmitted()
    {
        // ServerHello .. ServerHelloDone (five datagrams) all lost once.
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), DtlsPair.ServerOptions());
        pair.Link.ServerToClient.Drop = (index, _) => index < 5;
        pair.Start();

        DtlsSrtpKeys server = await pair.ServerProbe.CompletedWithin(Bound);
        DtlsSrtpKeys client = await pair.ClientProbe.CompletedWithin(Bound);

        Assert.Equal(server.KeyingMaterial, client.KeyingMaterial);
        Assert.Equal(5, pair.Link.ServerToClient.DroppedCount);
        int serverHellos = pair.Link.ServerToClient.Sent.Count(d => DtlsRecords.Parse(d).Any(r => DtlsRecords.Handshake(d, r) is { MessageType: 2 }));
        Assert.True(serverHellos >= 2, $"expected the ServerHello to be sent again, saw {serverHellos}");
    }

    [Fact]
    public async Task Lost_final_server_flight_is_resent_by_the_server_after_its_handshake_completed()
    {
        // The server's Finished (its first epoch-1 handshake record) is lost: the server has already
        // completed and handed over, so only the record layer its owner drives (here, the link's pump
        // calling OnDatagram) can answer the client's retransmission.
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), DtlsPair.ServerOptions());
        pair.Link.ServerToClient.DropFirst(DtlsRecords.HasEpoch1Handshake);
        pair.Start();

        DtlsSrtpKeys server = await pair.ServerProbe.CompletedWithin(Bound);
        DtlsSrtpKeys client = await pair.ClientProbe.CompletedWithin(Bound);

        Assert.True(pair.Link.ServerToClient.DroppedOnce);
        Assert.Equal(server.KeyingMaterial, client.KeyingMaterial);
        Assert.False(pair.ServerProbe.Closed.Task.IsCompleted);
    }

    [Fact]
    public async Task Chromium_sized_ClientHello_in_two_datagrams_with_packed_and_duplicated_records_completes()
    {
        // Like Chromium 156: a ~1.4 KB ClientHello in two datagrams (1200 + the rest). The server's
        // flights are packed several records to a datagram, and every datagram arrives twice.
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(mtu: 1200, padding: 1150), DtlsPair.ServerOptions());
        pair.Link.ServerToClient.Coalesce = true;
        pair.Link.ClientToServer.Duplicate = true;
        pair.Start();

        DtlsSrtpKeys server = await pair.ServerProbe.CompletedWithin(Bound);
        DtlsSrtpKeys client = await pair.ClientProbe.CompletedWithin(Bound);
        Assert.Equal(server.KeyingMaterial, client.KeyingMaterial);

        byte[] first = pair.Link.ClientToServer.Sent[0];
        byte[] second = pair.Link.ClientToServer.Sent[1];
        DtlsRecords.HandshakeFragment a = DtlsRecords.ClientHelloFragments([first]).Single();
        DtlsRecords.HandshakeFragment b = DtlsRecords.ClientHelloFragments([second]).Single();
        output.WriteLine($"ClientHello {a.MessageLength} bytes in datagrams of {first.Length} and {second.Length} bytes");
        Assert.InRange(a.MessageLength, 1300, 1500);
        Assert.Equal(1200, first.Length);
        Assert.Equal(0, a.FragmentOffset);
        Assert.Equal(a.FragmentLength, b.FragmentOffset);
        Assert.Equal(a.MessageLength, a.FragmentLength + b.FragmentLength);
        Assert.Equal(a.MessageSeq, b.MessageSeq);
        Assert.Contains(pair.Link.ServerToClient.Delivered, d => DtlsRecords.Parse(d).Count > 1);
    }

    [Fact]
    public async Task Records_split_into_separate_datagrams_and_duplicated_both_ways_complete()
    {
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), DtlsPair.ServerOptions());
        pair.Link.ServerToClient.SplitRecords = true;
        pair.Link.ServerToClient.Duplicate = true;
        pair.Link.ClientToServer.SplitRecords = true;
        pair.Link.ClientToServer.Duplicate = true;
        pair.Start();

        DtlsSrtpKeys server = await pair.ServerProbe.CompletedWithin(Bound);
        DtlsSrtpKeys client = await pair.ClientProbe.CompletedWithin(Bound);
        Assert.Equal(server.KeyingMaterial, client.KeyingMaterial);
    }

    [Fact]
    public async Task Junk_datagrams_before_and_during_the_handshake_are_ignored()
    {
        // A well-formed epoch-0 record would be different from this junk: it takes its sequence
        // number in the replay window, so the owner must feed only datagrams from the ICE-selected
        // peer (see the doc).
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), DtlsPair.ServerOptions());
        byte[][] junk = DtlsRecords.Junk();
        foreach (byte[] j in junk)
        {
            Assert.True(pair.Server.OnDatagram(j));
        }

        Assert.False(pair.Server.OnDatagram(new byte[DtlsLimits.MaxDatagramSize + 1]));
        pair.Link.ClientToServer.Drop = (index, _) =>
        {
            pair.Server.OnDatagram(junk[index % junk.Length]); // junk interleaved with every real datagram
            return false;
        };
        pair.Start();

        DtlsSrtpKeys server = await pair.ServerProbe.CompletedWithin(Bound);
        DtlsSrtpKeys client = await pair.ClientProbe.CompletedWithin(Bound);
        Assert.Equal(server.KeyingMaterial, client.KeyingMaterial);
        output.WriteLine($"{pair.Link.ClientToServer.Sent.Count} datagrams client to server (6 without retransmission)");
    }

    [Fact]
    public async Task Client_certificate_not_matching_the_offer_fingerprint_fails_the_server_and_yields_no_keys()
    {
        await using var pair = new DtlsPair(
            DtlsPair.ClientOptions(),
            DtlsPair.ServerOptions(expectClient: DtlsPair.StrangerCertificate.Fingerprint));
        pair.Start();

        DtlsFailure server = await pair.ServerProbe.FailedWithin(Bound);
        DtlsFailure client = await pair.ClientProbe.FailedWithin(Bound);

        Assert.Equal(DtlsFailureKind.FingerprintMismatch, server.Kind);
        Assert.Equal((short)42, server.Alert); // bad_certificate
        Assert.Equal(DtlsFailureKind.AlertReceived, client.Kind);
        Assert.Equal((short)42, client.Alert);
        Assert.False(pair.ServerProbe.Keys.Task.IsCompleted);
        Assert.False(pair.ClientProbe.Keys.Task.IsCompleted);
    }

    [Fact]
    public async Task Client_without_a_certificate_is_refused()
    {
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(omitCertificate: true), DtlsPair.ServerOptions());
        pair.Start();

        DtlsFailure server = await pair.ServerProbe.FailedWithin(Bound);
        DtlsFailure client = await pair.ClientProbe.FailedWithin(Bound);

        Assert.Equal(DtlsFailureKind.FingerprintMismatch, server.Kind);
        Assert.Equal((short)40, server.Alert); // handshake_failure
        Assert.Equal(DtlsFailureKind.AlertReceived, client.Kind);
    }

    [Fact]
    public async Task Server_certificate_not_matching_the_answer_fingerprint_fails_the_client()
    {
        await using var pair = new DtlsPair(
            DtlsPair.ClientOptions(expectServer: DtlsPair.StrangerCertificate.Fingerprint),
            DtlsPair.ServerOptions());
        pair.Start();

        DtlsFailure client = await pair.ClientProbe.FailedWithin(Bound);
        DtlsFailure server = await pair.ServerProbe.FailedWithin(Bound);

        Assert.Equal(DtlsFailureKind.FingerprintMismatch, client.Kind);
        Assert.Equal(DtlsFailureKind.AlertReceived, server.Kind);
        Assert.False(pair.ServerProbe.Keys.Task.IsCompleted);
    }

    [Fact]
    public async Task Without_expected_fingerprints_the_keys_say_unverified_and_carry_the_peer_fingerprint()
    {
        DtlsEndpointOptions clientOptions = DtlsPair.ClientOptions();
        DtlsEndpointOptions serverOptions = DtlsPair.ServerOptions();
        await using var pair = new DtlsPair(
            clientOptions,
            new DtlsEndpointOptions { Certificate = serverOptions.Certificate });
        pair.Start();

        DtlsSrtpKeys server = await pair.ServerProbe.CompletedWithin(Bound);
        Assert.False(server.RemoteFingerprintVerified);
        Assert.Equal(DtlsPair.ClientCertificate.Fingerprint, server.RemoteFingerprint);
    }

    [Fact]
    public async Task Peer_that_never_answers_fails_by_the_deadline_in_real_time()
    {
        await using var pair = new DtlsPair(
            DtlsPair.ClientOptions(timeout: TimeSpan.FromSeconds(1.5)),
            DtlsPair.ServerOptions());
        pair.Link.ClientToServer.Drop = (_, _) => true;
        var clock = Stopwatch.StartNew();
        pair.Start();

        DtlsFailure client = await pair.ClientProbe.FailedWithin(Bound);
        clock.Stop();

        Assert.Equal(DtlsFailureKind.Timeout, client.Kind);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.3), TimeSpan.FromSeconds(4));
        Assert.True(pair.Link.ClientToServer.Sent.Count >= 2, "expected a retransmitted ClientHello before the deadline");
        await pair.Client.Completion.WaitAsync(Bound);
        output.WriteLine($"timed out after {clock.Elapsed.TotalMilliseconds:F0} ms, {pair.Link.ClientToServer.Sent.Count} datagrams sent");
    }

    [Fact]
    public async Task A_handshake_our_deadline_ends_sends_the_peer_no_alert()
    {
        // The client's flights after its ClientHello never arrive: the server answered and waits for them until its deadline.
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), DtlsPair.ServerOptions(timeout: TimeSpan.FromSeconds(1.5)));
        pair.Link.ClientToServer.Drop = (index, _) => index > 0;
        pair.Start();

        DtlsFailure server = await pair.ServerProbe.FailedWithin(Bound);
        await pair.Server.Completion.WaitAsync(Bound);

        // Giving up is ours, not a fault of the peer's or of our own: BouncyCastle would say internal_error (RFC 5246
        // section 7.2.2), which tells the peer something that did not happen. It is simply not sent.
        Assert.Equal(DtlsFailureKind.Timeout, server.Kind);
        Assert.NotEmpty(pair.Link.ServerToClient.Sent);
        Assert.DoesNotContain(pair.Link.ServerToClient.Sent, d => DtlsRecords.Parse(d).Any(r => r.ContentType == 21));
    }

    [Fact]
    public async Task Deadline_follows_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        await using var server = BouncyCastleDtlsEndpoint.CreateServer(DtlsPair.ServerOptions(time: time));
        var probe = new EndpointProbe(server);
        server.Start();

        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(probe.Failure.Task.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.2));

        DtlsFailure failure = await probe.FailedWithin(TimeSpan.FromSeconds(2));
        Assert.Equal(DtlsFailureKind.Timeout, failure.Kind);
    }

    [Fact]
    public async Task DTLS_1_0_only_client_is_refused()
    {
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(legacyDtls10: true), DtlsPair.ServerOptions());
        pair.Start();

        DtlsFailure server = await pair.ServerProbe.FailedWithin(Bound);
        DtlsFailure client = await pair.ClientProbe.FailedWithin(Bound);

        Assert.Equal(DtlsFailureKind.ProtocolVersion, server.Kind);
        Assert.Equal(DtlsFailureKind.ProtocolVersion, client.Kind);
        Assert.False(pair.ServerProbe.Keys.Task.IsCompleted);
    }

    [Fact]
    public async Task Close_after_the_handshake_sends_close_notify_and_both_sides_report_closed()
    {
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), DtlsPair.ServerOptions());
        pair.Start();
        await pair.ServerProbe.CompletedWithin(Bound);
        await pair.ClientProbe.CompletedWithin(Bound);

        pair.Client.Close();

        DtlsClosed client = await pair.ClientProbe.Closed.Task.WaitAsync(Bound);
        DtlsClosed server = await pair.ServerProbe.Closed.Task.WaitAsync(Bound);
        Assert.Equal(DtlsCloseKind.Local, client.Kind);
        Assert.Equal(DtlsCloseKind.CloseNotify, server.Kind);
        await pair.Client.Completion.WaitAsync(Bound);
        await pair.Server.Completion.WaitAsync(Bound);
    }

    [Fact]
    public async Task Close_during_the_handshake_fails_it_as_canceled()
    {
        await using var server = BouncyCastleDtlsEndpoint.CreateServer(DtlsPair.ServerOptions());
        var probe = new EndpointProbe(server);
        server.Start();

        server.Close();

        Assert.Equal(DtlsFailureKind.Canceled, (await probe.FailedWithin(Bound)).Kind);
    }

    [Fact]
    public async Task Dispose_during_the_handshake_ends_the_worker_promptly_without_events()
    {
        var server = BouncyCastleDtlsEndpoint.CreateServer(DtlsPair.ServerOptions());
        var probe = new EndpointProbe(server);
        server.Start();
        var clock = Stopwatch.StartNew();

        await server.DisposeAsync().AsTask().WaitAsync(Bound);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"dispose took {clock.Elapsed}");
        Assert.False(probe.Failure.Task.IsCompleted);
        Assert.False(server.OnDatagram([22, 254, 253]));
    }

    [Fact]
    public async Task Warmup_runs_a_complete_in_memory_handshake()
    {
        TimeSpan took = await DtlsWarmup.RunAsync(DtlsPair.ServerCertificate).WaitAsync(Bound);
        output.WriteLine($"warm-up handshake {took.TotalMilliseconds:F1} ms");
    }

    [Fact]
    public async Task Handshake_timings_first_and_warm()
    {
        var timings = new List<double>();
        for (int i = 0; i < 6; i++)
        {
            await using var pair = new DtlsPair(DtlsPair.ClientOptions(), DtlsPair.ServerOptions());
            pair.Start();
            await pair.ServerProbe.CompletedWithin(Bound);
            await pair.ClientProbe.CompletedWithin(Bound);
            timings.Add(pair.Client.HandshakeDuration!.Value.TotalMilliseconds);
            output.WriteLine($"run {i}: {timings[^1]:F1} ms, {pair.Link.ClientToServer.Sent.Count} datagrams client to server, {pair.Link.ServerToClient.Sent.Count} back");
        }

        double[] warm = [.. timings.Skip(1).Order()];
        output.WriteLine($"client-observed handshake: first {timings[0]:F1} ms, warm median {warm[warm.Length / 2]:F1} ms (min {warm[0]:F1}, max {warm[^1]:F1})");
        Assert.All(warm, ms => Assert.True(ms < 2000, $"{ms} ms"));
    }
}
