using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Switchboard.Media.Demux;
using Switchboard.Media.Ice;
using Switchboard.Media.Stun;

namespace Switchboard.Benchmarks;

/// <summary>
/// The STUN path of a WebRTC media port: a Chromium-shaped Binding request (USERNAME, GOOG-NETWORK-INFO,
/// ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT; 104 bytes), and the
/// RFC 7983 demultiplexer that runs on every datagram.
/// </summary>
[MemoryDiagnoser]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet needs an unsealed class and releases the fields in [GlobalCleanup].")]
public class StunBenchmarks
{
    private const string RemoteUfrag = "Ch1d";

    private readonly byte[] _response = new byte[IceLiteAgent.MinResponseBufferSize];
    private readonly TransportAddress _browser = TransportAddress.Create(IPAddress.Parse("192.0.2.10"), 50123);
    private byte[] _request = [];
    private byte[] _password = [];
    private IceLiteAgent _agent = null!;
    private StunIntegrityKey _key = null!;
    private byte[][] _datagrams = [];

    [GlobalSetup]
    public void Setup()
    {
        IceCredentials local = IceCredentials.Generate();
        _password = Encoding.ASCII.GetBytes(local.Password);
        _key = new StunIntegrityKey(_password);
        _agent = new IceLiteAgent(local, TimeSpan.Zero, new IceLiteOptions { ConsentTimeout = TimeSpan.MaxValue / 4, ConnectTimeout = TimeSpan.MaxValue / 4 });
        _ = _agent.TrySetRemoteCredentials(RemoteUfrag, "chromiumchromiumchromium");

        byte[] buffer = new byte[256];
        var writer = new StunWriter(buffer, StunConstants.BindingRequest, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        writer.AddUsername(Encoding.ASCII.GetBytes($"{local.Ufrag}:{RemoteUfrag}"));
        writer.AddAttribute(0xC057, [0x00, 0x01, 0x00, 0x0A]);
        writer.AddIceControlling(0x1122334455667788);
        writer.AddUseCandidate();
        writer.AddPriority(1_853_824_767);
        writer.AddMessageIntegrity(_password);
        writer.AddFingerprint();
        _request = writer.Written.ToArray();

        byte[] dtls = new byte[120];
        dtls[0] = 23;
        byte[] rtp = new byte[172];
        rtp[0] = 0x80;
        byte[] rtcp = new byte[64];
        rtcp[0] = 0x81;
        rtcp[1] = 201;
        _datagrams = [_request, dtls, rtp, rtcp];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _agent?.Dispose();
        _key?.Dispose();
    }

    /// <summary>Parse, read USERNAME, verify MESSAGE-INTEGRITY (HMAC-SHA1, key prepared once as the agent does) and FINGERPRINT (CRC-32).</summary>
    [Benchmark(Baseline = true)]
    public bool ParseChromiumBindingRequest()
    {
        return StunMessage.TryParse(_request, out StunMessage message) == StunParseStatus.Ok
            && message.TryGetUsername(out ReadOnlySpan<byte> username) && username.Length > 0
            && message.CheckMessageIntegrity(_key) == StunCheck.Valid
            && message.CheckFingerprint() == StunCheck.Valid;
    }

    /// <summary>The same with the one-shot HMAC (key set up on every call).</summary>
    [Benchmark]
    public bool ParseChromiumBindingRequestOneShotHmac()
    {
        return StunMessage.TryParse(_request, out StunMessage message) == StunParseStatus.Ok
            && message.TryGetUsername(out ReadOnlySpan<byte> username) && username.Length > 0
            && message.CheckMessageIntegrity(_password) == StunCheck.Valid
            && message.CheckFingerprint() == StunCheck.Valid;
    }

    /// <summary>FINGERPRINT alone: CRC-32 over 96 bytes.</summary>
    [Benchmark]
    public bool CheckFingerprintOnly() =>
        StunMessage.TryParse(_request, out StunMessage message) == StunParseStatus.Ok && message.CheckFingerprint() == StunCheck.Valid;

    /// <summary>Framing and attribute walk only, no hashing.</summary>
    [Benchmark]
    public bool ParseFramingOnly() => StunMessage.TryParse(_request, out StunMessage message) == StunParseStatus.Ok && message.HasUseCandidate;

    /// <summary>The whole check: parse, authenticate, write the success response (XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT).</summary>
    [Benchmark]
    public int AnswerChromiumCheck()
    {
        _agent.HandleStun(_request, _browser, TimeSpan.FromSeconds(1), _response, out int length);
        return length;
    }

    /// <summary>RFC 7983 demux, per datagram (STUN, DTLS, RTP and RTCP in turn).</summary>
    [Benchmark(OperationsPerInvoke = 4)]
    public int DemuxPerDatagram()
    {
        int sum = 0;
        byte[][] datagrams = _datagrams;
        for (int i = 0; i < datagrams.Length; i++)
        {
            sum += (int)MediaDemux.Classify(datagrams[i]);
        }

        return sum;
    }
}
