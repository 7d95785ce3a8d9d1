namespace Switchboard.Media.Dtls;

/// <summary>
/// The peer's SDP fingerprints when they are known only after the handshake may start: we offered,
/// and the browser's ClientHello can reach us before the SIP answer that carries its fingerprint.
/// The owner sets them once; the DTLS handshake worker, on receiving the peer's certificate, waits
/// for them (it is a dedicated pool thread, held meanwhile; the wait ends with the handshake deadline
/// or a close).
/// </summary>
public sealed class DtlsLateFingerprints : IDisposable
{
    private readonly ManualResetEventSlim _known = new(initialState: false);
    private IReadOnlyList<DtlsFingerprint>? _fingerprints;

    /// <summary>True once <see cref="TrySet"/> succeeded.</summary>
    public bool IsKnown => Volatile.Read(ref _fingerprints) is not null;

    /// <summary>Gives the fingerprints (at least one); false when they were already given.</summary>
    public bool TrySet(IReadOnlyList<DtlsFingerprint> fingerprints)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        ArgumentOutOfRangeException.ThrowIfZero(fingerprints.Count);
        if (Interlocked.CompareExchange(ref _fingerprints, fingerprints, null) is not null)
        {
            return false;
        }

        _known.Set();
        return true;
    }

    public void Dispose() => _known.Dispose();

    /// <summary>Blocks the DTLS worker until the fingerprints are set; null when <paramref name="cancellation"/> ends the wait first.</summary>
    internal IReadOnlyList<DtlsFingerprint>? Wait(CancellationToken cancellation)
    {
        try
        {
            _known.Wait(cancellation);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }

        return Volatile.Read(ref _fingerprints);
    }
}
