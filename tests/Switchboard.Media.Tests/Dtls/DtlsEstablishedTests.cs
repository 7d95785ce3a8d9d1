using System.Collections.Concurrent;
using System.Diagnostics;
using Switchboard.Media.Dtls;
using Xunit.Abstractions;

namespace Switchboard.Media.Tests.Dtls;

/// <summary>
/// After the handshake the owner drives the record layer: every datagram is processed inside
/// <see cref="IDtlsEndpoint.OnDatagram"/> on the caller's thread, and <see cref="IDtlsEndpoint.Close"/>
/// queues close_notify before it returns. Once both sides completed, these tests stop the link's
/// pump and move datagrams themselves, so each assertion right after a call proves it synchronous.
/// </summary>
public sealed class DtlsEstablishedTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Retransmitted_final_flight_after_completion_is_answered_inside_OnDatagram()
    {
        // The server's last flight (ChangeCipherSpec, Finished) is lost once: the server has
        // completed and handed over, the client has not. After BouncyCastle's 1 s timer (wall clock)
        // the client sends its last flight again; RFC 6347 section 4.2.4 says the server must answer
        // with its last flight, and here it does so inside the owner's OnDatagram.
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), DtlsPair.ServerOptions());
        pair.Link.ServerToClient.DropFirst(DtlsRecords.HasEpoch1Handshake);
        var again = new ConcurrentQueue<byte[]>();
        using var arrived = new SemaphoreSlim(0);
        pair.Link.ClientToServer.Drop = (_, datagram) =>
        {
            if (!pair.Server.IsEstablished)
            {
                return false;
            }

            again.Enqueue(datagram);
            arrived.Release();
            return true;
        };
        pair.Start();

        await pair.ServerProbe.CompletedWithin(Bound);
        await pair.Server.Completion.WaitAsync(Bound);
        Assert.True(pair.Server.IsEstablished);
        while (!again.Any(DtlsRecords.HasEpoch1Handshake))
        {
            Assert.True(await arrived.WaitAsync(Bound), "the client did not retransmit its final flight");
        }

        await pair.Link.DisposeAsync();
        Assert.False(pair.ClientProbe.Keys.Task.IsCompleted);
        int me = Environment.CurrentManagedThreadId;
        bool inside = false;
        var raised = new List<(int Thread, bool Inside)>();
        pair.Server.OutgoingAvailable += () => raised.Add((Environment.CurrentManagedThreadId, inside));

        inside = true;
        foreach (byte[] datagram in again)
        {
            Assert.True(pair.Server.OnDatagram(datagram));
        }

        inside = false;
        List<byte[]> answer = Drain(pair.Server);
        output.WriteLine($"client resent {again.Count} datagrams; the server answered with {answer.Count}");
        Assert.Contains((me, true), raised);
        Assert.Contains(answer, DtlsRecords.HasEpoch1Handshake);

        foreach (byte[] datagram in answer)
        {
            pair.Client.OnDatagram(datagram);
        }

        DtlsSrtpKeys client = await pair.ClientProbe.CompletedWithin(Bound);
        Assert.Equal((await pair.ServerProbe.Keys.Task).KeyingMaterial, client.KeyingMaterial);
        Assert.True(pair.Server.IsEstablished);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Close_sends_close_notify_and_the_peer_reports_it_both_synchronously(bool serverCloses)
    {
        await using var pair = await EstablishedAsync();
        BouncyCastleDtlsEndpoint closer = serverCloses ? pair.Server : pair.Client;
        BouncyCastleDtlsEndpoint peer = serverCloses ? pair.Client : pair.Server;
        EndpointProbe closerProbe = serverCloses ? pair.ServerProbe : pair.ClientProbe;
        EndpointProbe peerProbe = serverCloses ? pair.ClientProbe : pair.ServerProbe;

        closer.Close();

        Assert.True(closerProbe.Closed.Task.IsCompleted, "Closed(Local) before Close returned");
        Assert.Equal(DtlsCloseKind.Local, (await closerProbe.Closed.Task).Kind);
        Assert.False(closer.IsEstablished);
        byte[] notify = Assert.Single(Drain(closer));
        Assert.Equal(21, notify[0]); // alert (RFC 5246 section 7.2), encrypted under epoch 1
        Assert.Equal(1, notify[3] << 8 | notify[4]);

        Assert.True(peer.OnDatagram(notify));

        Assert.True(peerProbe.Closed.Task.IsCompleted, "Closed(CloseNotify) before OnDatagram returned");
        DtlsClosed closed = await peerProbe.Closed.Task;
        Assert.Equal(DtlsCloseKind.CloseNotify, closed.Kind);
        Assert.Equal((short)0, closed.Alert);

        // RFC 5246 section 7.2.1: the peer answers with its own close_notify; the closer has ended.
        byte[] reply = Assert.Single(Drain(peer));
        Assert.Equal(21, reply[0]);
        Assert.False(closer.OnDatagram(reply));
        Assert.False(peer.OnDatagram(notify));
        Assert.False(closerProbe.Failure.Task.IsCompleted);
        Assert.False(peerProbe.Failure.Task.IsCompleted);
    }

    [Fact]
    public async Task Junk_and_application_data_after_the_handshake_are_dropped_without_spinning_or_closing()
    {
        await using var pair = await EstablishedAsync();
        // Epoch 1, 40 bytes: decrypted, fails authentication, dropped silently (RFC 6347 section 4.1.2.7).
        byte[] badMac = DtlsRecords.Build(23, 1, 40);
        byte[][] junk = [.. DtlsRecords.Junk(), badMac];
        long drainedBefore = pair.Server.DrainedReceives;

        for (int i = 0; i < 50; i++)
        {
            Assert.True(pair.Server.OnDatagram(junk[i % junk.Length]));
        }

        // One empty receive per datagram: BouncyCastle's receive ended at once every time.
        Assert.Equal(drainedBefore + 50, pair.Server.DrainedReceives);

        // The cost once warm (first-use JIT and the first exceptions of the process are above).
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < 500; i++)
        {
            pair.Server.OnDatagram(junk[i % junk.Length]);
        }

        output.WriteLine($"500 junk datagrams through the established server: {Stopwatch.GetElapsedTime(started).TotalMilliseconds / 500 * 1000:F1} us each");
        Assert.Equal(drainedBefore + 550, pair.Server.DrainedReceives);

        Assert.True(pair.Server.IsEstablished);
        Assert.Empty(Drain(pair.Server));

        pair.Client.SendApplicationDataForTests([1, 2, 3]);
        byte[] data = Assert.Single(Drain(pair.Client));
        Assert.True(pair.Server.OnDatagram(data));

        Assert.Equal(1, pair.Server.IgnoredApplicationData);
        Assert.True(pair.Server.IsEstablished);
        Assert.False(pair.ServerProbe.Closed.Task.IsCompleted);
        Assert.Empty(Drain(pair.Server));
    }

    [Fact]
    public async Task A_protected_record_too_short_for_nonce_and_tag_is_dropped_and_the_association_stays()
    {
        // BouncyCastle raises decode_error for these instead of discarding them (found by the dtls fuzz target); one
        // forged datagram from the peer's address would end the call's media (RFC 6347 section 4.1.2.7).
        await using var pair = await EstablishedAsync();
        foreach (int length in new[] { 0, 1, 2, 16, 23 })
        {
            Assert.True(pair.Server.OnDatagram(DtlsRecords.Build(23, 1, length)));
            Assert.True(pair.Server.OnDatagram(DtlsRecords.Build(21, 1, length)));
        }

        Assert.Equal(10, pair.Server.InvalidRecordsDropped);
        Assert.True(pair.Server.IsEstablished);
        Assert.False(pair.ServerProbe.Closed.Task.IsCompleted);

        // The association still carries the peer's records.
        pair.Client.SendApplicationDataForTests([1, 2, 3]);
        Assert.True(pair.Server.OnDatagram(Assert.Single(Drain(pair.Client))));
        Assert.Equal(1, pair.Server.IgnoredApplicationData);
        Assert.True(pair.Server.IsEstablished);
    }

    [Fact]
    public async Task Dispose_after_the_handshake_sends_nothing_and_raises_nothing()
    {
        await using var pair = await EstablishedAsync();

        await pair.Server.DisposeAsync();

        Assert.False(pair.ServerProbe.Closed.Task.IsCompleted);
        Assert.Empty(Drain(pair.Server));
        Assert.False(pair.Server.OnDatagram([23, 0xFE, 0xFD]));
    }

    /// <summary>A clean handshake, then the link's pump stopped: the test moves datagrams from here on.</summary>
    private static async Task<DtlsPair> EstablishedAsync()
    {
        var pair = new DtlsPair(DtlsPair.ClientOptions(), DtlsPair.ServerOptions());
        pair.Start();
        await pair.ServerProbe.CompletedWithin(Bound);
        await pair.ClientProbe.CompletedWithin(Bound);
        await pair.Server.Completion.WaitAsync(Bound);
        await pair.Client.Completion.WaitAsync(Bound);
        await pair.Link.DisposeAsync();
        Assert.True(pair.Server.IsEstablished && pair.Client.IsEstablished);
        Assert.Empty(Drain(pair.Server));
        Assert.Empty(Drain(pair.Client));
        return pair;
    }

    private static List<byte[]> Drain(BouncyCastleDtlsEndpoint endpoint)
    {
        var buffer = new byte[DtlsLimits.MaxDatagramSize];
        var datagrams = new List<byte[]>();
        while (endpoint.TryDequeueOutgoing(buffer, out int length))
        {
            datagrams.Add(buffer.AsSpan(0, length).ToArray());
        }

        return datagrams;
    }
}
