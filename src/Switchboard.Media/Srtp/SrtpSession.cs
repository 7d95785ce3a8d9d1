using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Media.Srtp;

/// <summary>
/// Both directions of one DTLS-SRTP association: <see cref="Outbound"/> protects with the local master
/// key, <see cref="Inbound"/> unprotects with the remote one. Each tracks its own SSRCs. Not thread-safe.
/// </summary>
public sealed class SrtpSession : IDisposable
{
    /// <summary>Builds both contexts; the keys must share one profile.</summary>
    public SrtpSession(SrtpMasterKey local, SrtpMasterKey remote, int maxStreams = SrtpContext.DefaultMaxStreams)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        if (local.Profile != remote.Profile)
        {
            throw new ArgumentException("Local and remote keys belong to different profiles.", nameof(remote));
        }

        Outbound = new SrtpContext(local, maxStreams);
        Inbound = new SrtpContext(remote, maxStreams);
    }

    /// <summary>The protection profile.</summary>
    public SrtpProfile Profile => Outbound.Profile;

    /// <summary>Protects what we send.</summary>
    public SrtpContext Outbound { get; }

    /// <summary>Unprotects what we receive.</summary>
    public SrtpContext Inbound { get; }

    /// <summary>
    /// Creates a session from the DTLS handshake's outcome: the negotiated use_srtp profile id, the
    /// exported keying material (<see cref="DtlsSrtpKeySplit.KeyingMaterialLength"/> bytes, label
    /// <see cref="DtlsSrtpKeySplit.ExporterLabel"/>) and our role.
    /// </summary>
    public static bool TryCreateFromDtls(
        ushort profileId,
        ReadOnlySpan<byte> keyingMaterial,
        bool isServer,
        [NotNullWhen(true)] out SrtpSession? session)
    {
        session = DtlsSrtpKeySplit.TrySplit(profileId, keyingMaterial, isServer, out var local, out var remote)
            ? new SrtpSession(local, remote)
            : null;
        return session is not null;
    }

    /// <inheritdoc cref="SrtpContext.ProtectRtp"/>
    public SrtpResult ProtectRtp(Span<byte> buffer, int length, out int protectedLength) =>
        Outbound.ProtectRtp(buffer, length, out protectedLength);

    /// <inheritdoc cref="SrtpContext.UnprotectRtp"/>
    public SrtpResult UnprotectRtp(Span<byte> buffer, int length, out int plainLength) =>
        Inbound.UnprotectRtp(buffer, length, out plainLength);

    /// <inheritdoc cref="SrtpContext.ProtectRtcp"/>
    public SrtpResult ProtectRtcp(Span<byte> buffer, int length, out int protectedLength) =>
        Outbound.ProtectRtcp(buffer, length, out protectedLength);

    /// <inheritdoc cref="SrtpContext.UnprotectRtcp"/>
    public SrtpResult UnprotectRtcp(Span<byte> buffer, int length, out int plainLength) =>
        Inbound.UnprotectRtcp(buffer, length, out plainLength);

    public void Dispose()
    {
        Outbound.Dispose();
        Inbound.Dispose();
    }
}
