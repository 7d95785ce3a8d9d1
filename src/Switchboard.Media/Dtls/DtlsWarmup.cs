namespace Switchboard.Media.Dtls;

/// <summary>
/// A process's first BouncyCastle handshake is slow (JIT, curve tables, start-up): measured at
/// 0.2 to 1 s on a 2-core host, against 10 to 30 ms once warm. That is close to DTLS's 1 s
/// retransmission timer, so the composition root runs one in-memory handshake at start-up.
/// </summary>
public static class DtlsWarmup
{
    /// <summary>
    /// Runs one client/server handshake between two in-memory endpoints using
    /// <paramref name="certificate"/> on both sides. Returns the time it took.
    /// </summary>
    public static Task<TimeSpan> RunAsync(DtlsCertificate certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return RunAsync(new DtlsEndpointOptions { Certificate = certificate, ExpectedRemoteFingerprints = [certificate.Fingerprint] }, cancellationToken);
    }

    /// <summary>The same handshake with <paramref name="options"/> on both sides (the handshake benchmark picks the crypto).</summary>
    internal static async Task<TimeSpan> RunAsync(DtlsEndpointOptions options, CancellationToken cancellationToken = default)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var wake = new SemaphoreSlim(0);
        int completed = 0;
        DtlsFailure? failure = null;
        await using var server = BouncyCastleDtlsEndpoint.CreateServer(options);
        await using var client = BouncyCastleDtlsEndpoint.CreateClient(options);
        foreach (BouncyCastleDtlsEndpoint endpoint in (ReadOnlySpan<BouncyCastleDtlsEndpoint>)[server, client])
        {
            endpoint.OutgoingAvailable += () => wake.Release();
            endpoint.HandshakeCompleted += _ =>
            {
                Interlocked.Increment(ref completed);
                wake.Release();
            };
            endpoint.Failed += f =>
            {
                Volatile.Write(ref failure, f);
                wake.Release();
            };
        }

        server.Start();
        client.Start();
        var buffer = new byte[DtlsLimits.MaxDatagramSize];
        while (Volatile.Read(ref completed) < 2)
        {
            if (Volatile.Read(ref failure) is { } failed)
            {
                throw new InvalidOperationException("DTLS warm-up handshake failed: " + failed);
            }

            await wake.WaitAsync(cancellationToken).ConfigureAwait(false);
            Move(client, server, buffer);
            Move(server, client, buffer);
        }

        return System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    private static void Move(BouncyCastleDtlsEndpoint from, BouncyCastleDtlsEndpoint to, byte[] buffer)
    {
        while (from.TryDequeueOutgoing(buffer, out int length))
        {
            to.OnDatagram(buffer.AsSpan(0, length));
        }
    }
}
