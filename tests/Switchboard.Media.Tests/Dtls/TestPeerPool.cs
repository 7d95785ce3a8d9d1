using Switchboard.Media.Dtls;

namespace Switchboard.Media.Tests.Dtls;

/// <summary>
/// The handshake workers of the tests' stand-in browsers (DTLS clients). A real browser's handshake
/// does not run on our pool; sharing one would let waiting clients hold every worker while the
/// servers they wait for sit in the queue behind them, until the deadline. The PBX side (servers)
/// uses <see cref="DtlsHandshakePool.Shared"/>, as in production.
/// </summary>
internal static class TestPeerPool
{
    public static DtlsHandshakePool Instance { get; } = new(32, "dtls-peer");
}
