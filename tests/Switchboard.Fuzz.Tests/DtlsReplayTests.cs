using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Switchboard.Fuzz.Targets;
using Switchboard.Media.Dtls;

namespace Switchboard.Fuzz.Tests;

/// <summary>
/// The dtls target's cheap re-making of an association: a recorded handshake replayed into a new server
/// endpoint must give a real, established association with the same keys every time, and the remembered
/// key agreement must give what a fresh one gives.
/// </summary>
public sealed class DtlsReplayTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly DtlsHandshakePool _pool = new(maxWorkers: 2, name: "test-dtls-replay");
    private readonly byte[] _buffer = new byte[DtlsLimits.MaxDatagramSize];

    [Fact]
    public async Task Every_replay_establishes_an_association_with_the_same_keys()
    {
        var transcript = await DtlsTranscript.RecordAsync(_pool, Bound);
        Assert.InRange(transcript.ClientDatagrams.Count, 2, 16);

        using var first = DtlsAssociation.Replay(transcript, _pool, Bound, _buffer);
        using var second = DtlsAssociation.Replay(transcript, _pool, Bound, _buffer);

        Assert.True(first.Server.IsEstablished);
        Assert.True(second.Server.IsEstablished);
        Assert.True(first.Keys.RemoteFingerprintVerified);
        Assert.Equal(DtlsAssociation.ClientCertificate.Fingerprint.ToString(), first.Keys.RemoteFingerprint.ToString());
        Assert.Equal(first.Keys.SrtpProfileId, second.Keys.SrtpProfileId);
        Assert.Equal(first.Keys.KeyingMaterial, second.Keys.KeyingMaterial);
    }

    [Fact]
    public async Task Junk_a_forged_record_and_a_record_too_short_to_be_protected_leave_the_association_up()
    {
        var transcript = await DtlsTranscript.RecordAsync(_pool, Bound);
        using var association = DtlsAssociation.Replay(transcript, _pool, Bound, _buffer);

        // A plaintext (epoch 0) fatal alert after the handshake, and an epoch-1 record of a plausible length
        // that fails authentication: dropped (RFC 6347 section 4.1.2.7), the association stays.
        Assert.True(association.Server.OnDatagram(Record(21, epoch: 0, [2, 40])));
        Assert.True(association.Server.OnDatagram(Record(23, epoch: 1, new byte[40])));
        Assert.False(association.Ended);

        // An epoch-1 record shorter than the AEAD nonce and tag: BouncyCastle raises decode_error instead of dropping
        // it (found by this target; see docs/benchmarks-fuzz.md), so the endpoint drops it first and the association stays.
        Assert.True(association.Server.OnDatagram(Record(23, epoch: 1, new byte[2])));
        Assert.False(association.Ended);
    }

    [Fact]
    public void Remembered_X25519_gives_the_secret_a_fresh_agreement_gives_for_every_peer()
    {
        var crypto = new BcTlsCrypto(new SecureRandom());
        for (var i = 0; i < 2; i++)
        {
            var remembered = new RememberedX25519(crypto).CreateECDH();
            var peer = new BcX25519(crypto);
            var ours = remembered.GenerateEphemeral();
            remembered.ReceivePeerValue(peer.GenerateEphemeral());
            peer.ReceivePeerValue(ours);

            Assert.Equal(peer.CalculateSecret().Extract(), remembered.CalculateSecret().Extract());
        }
    }

    public void Dispose() => _pool.Dispose();

    /// <summary>A DTLS 1.2 record (RFC 6347 section 4.1): type, version, epoch, 48-bit sequence number, length, fragment.</summary>
    private static byte[] Record(byte type, ushort epoch, byte[] fragment)
    {
        var record = new byte[13 + fragment.Length];
        record[0] = type;
        record[1] = 0xFE;
        record[2] = 0xFD;
        record[3] = (byte)(epoch >> 8);
        record[4] = (byte)epoch;
        record[10] = 7;
        record[11] = (byte)(fragment.Length >> 8);
        record[12] = (byte)fragment.Length;
        fragment.CopyTo(record, 13);
        return record;
    }
}
