using System.Buffers.Binary;
using System.Net;
using Switchboard.Media.Ice;
using Switchboard.Media.Stun;

namespace Switchboard.Media.Tests.Ice;

public class IceLiteAgentRobustnessTests
{
    private static readonly TransportAddress Browser = TransportAddress.Create(IPAddress.Parse("192.0.2.10"), 50123);

    [Fact]
    public void Mutated_checks_never_throw_and_every_response_is_well_formed()
    {
        using var agent = new IceLiteAgent(IceCredentials.Generate(), TimeSpan.Zero, new IceLiteOptions { ConnectTimeout = TimeSpan.FromDays(1) });
        Assert.True(agent.TrySetRemoteCredentials("Ch1d", "chromiumchromiumchromium"));
        BrowserCheck check = BrowserCheck.For(agent.LocalCredentials.Ufrag, agent.LocalCredentials.Password, "Ch1d") with { UseCandidate = true };
        byte[] seed = check.Build();
        byte[] response = new byte[IceLiteAgent.MinResponseBufferSize];
        var random = new Random(8445);
        var outcomes = new HashSet<IceCheckOutcome>();

        for (int i = 0; i < 20_000; i++)
        {
            byte[] datagram = (byte[])seed.Clone();
            int flips = 1 + random.Next(3);
            for (int f = 0; f < flips; f++)
            {
                datagram[random.Next(datagram.Length)] ^= (byte)(1 << random.Next(8));
            }

            if (i % 2 == 0)
            {
                // Re-seal the FINGERPRINT so the mutation reaches the authentication and attribute checks.
                int at = datagram.Length - 8;
                if (BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(at)) == 0x8028)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(datagram.AsSpan(at + 4), StunCrc32.Fingerprint(datagram.AsSpan(0, at)));
                }
            }

            var now = TimeSpan.FromMilliseconds(i);
            IceCheckOutcome outcome = agent.HandleStun(datagram, Browser, now, response, out int length);
            outcomes.Add(outcome);
            if (length > 0)
            {
                Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(response.AsSpan(0, length), out StunMessage answer));
                Assert.Equal(StunCheck.Valid, answer.CheckFingerprint());
                Assert.True(answer.TransactionId.SequenceEqual(datagram.AsSpan(8, 12)));
            }
        }

        Assert.Contains(IceCheckOutcome.DroppedBadFingerprint, outcomes);
        Assert.Contains(IceCheckOutcome.Unauthenticated, outcomes);
        Assert.Contains(IceCheckOutcome.DroppedMalformed, outcomes);
    }

    [Fact]
    public void The_RFC_5769_sample_request_authenticates_and_meets_a_role_conflict()
    {
        // Section 2.1: USERNAME "evtj:h6vY", short-term password, and ICE-CONTROLLED: the sender claims
        // the controlled role, which a lite agent (always controlled) answers with 487, signed.
        Assert.True(IceCredentials.TryCreate("evtj", Stun.Rfc5769Vectors.ShortTermPassword, out IceCredentials? local));
        using var agent = new IceLiteAgent(local, TimeSpan.Zero);
        Assert.True(agent.TrySetRemoteCredentials("h6vY", "remoteremoteremoteremote"));
        byte[] response = new byte[IceLiteAgent.MinResponseBufferSize];

        Assert.Equal(IceCheckOutcome.RoleConflict, agent.HandleStun(Stun.Rfc5769Vectors.SampleRequest, Browser, TimeSpan.Zero, response, out int length));
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(response.AsSpan(0, length), out StunMessage answer));
        Assert.True(answer.TryGetErrorCode(out int code, out _));
        Assert.Equal(487, code);
        Assert.Equal(Stun.Rfc5769Vectors.TransactionId, answer.TransactionId.ToArray());
        Assert.Equal(StunCheck.Valid, answer.CheckMessageIntegrity(System.Text.Encoding.ASCII.GetBytes(Stun.Rfc5769Vectors.ShortTermPassword)));
        Assert.Equal(StunCheck.Valid, answer.CheckFingerprint());
        Assert.Equal(0, agent.Counters.Unauthenticated);
    }

    [Fact]
    public void An_IPv4_mapped_source_is_answered_and_selected_as_IPv4()
    {
        using var agent = new IceLiteAgent(IceCredentials.Generate(), TimeSpan.Zero);
        BrowserCheck check = BrowserCheck.For(agent.LocalCredentials.Ufrag, agent.LocalCredentials.Password, "Ch1d") with { UseCandidate = true };
        var mapped = TransportAddress.FromIPEndPoint(new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.10"), 50123));
        byte[] response = new byte[IceLiteAgent.MinResponseBufferSize];

        Assert.Equal(IceCheckOutcome.AnsweredNominated, agent.HandleStun(check.Build(), mapped, TimeSpan.Zero, response, out int length));
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(response.AsSpan(0, length), out StunMessage answer));
        Assert.True(answer.TryGetXorMappedAddress(out TransportAddress reflected));
        Assert.True(reflected.IsIPv4);
        Assert.Equal(Browser, agent.SelectedEndpoint);
    }

    [Fact]
    public void After_nomination_the_connect_timeout_no_longer_applies()
    {
        using var agent = new IceLiteAgent(IceCredentials.Generate(), TimeSpan.Zero, new IceLiteOptions { ConnectTimeout = TimeSpan.FromSeconds(10) });
        BrowserCheck check = BrowserCheck.For(agent.LocalCredentials.Ufrag, agent.LocalCredentials.Password, "Ch1d");
        byte[] response = new byte[IceLiteAgent.MinResponseBufferSize];

        agent.HandleStun((check with { UseCandidate = true }).Build(), Browser, TimeSpan.FromSeconds(9), response, out _);
        for (int s = 14; s <= 60; s += 5)
        {
            agent.HandleStun(check.Build(), Browser, TimeSpan.FromSeconds(s), response, out _);
            Assert.Equal(TimeSpan.FromSeconds(s + 30), agent.Poll(TimeSpan.FromSeconds(s)));
        }

        Assert.Equal(IceAgentState.Connected, agent.State);
        Assert.True(agent.TryDequeueEvent(out IceEvent selected));
        Assert.Equal(IceEventKind.SelectedPairChanged, selected.Kind);
        Assert.False(agent.TryDequeueEvent(out _));
    }

    [Fact]
    public void Chromium_style_checks_with_jitter_and_loss_keep_consent_for_ten_minutes()
    {
        using var agent = new IceLiteAgent(IceCredentials.Generate(), TimeSpan.Zero);
        BrowserCheck check = BrowserCheck.For(agent.LocalCredentials.Ufrag, agent.LocalCredentials.Password, "Ch1d") with { UseCandidate = true };
        byte[] response = new byte[IceLiteAgent.MinResponseBufferSize];
        var random = new Random(7675);
        TimeSpan now = TimeSpan.FromMilliseconds(150);
        agent.HandleStun(check.Build(), Browser, now, response, out _);

        while (now < TimeSpan.FromMinutes(10))
        {
            // RFC 7675 section 5.1: consent checks every 4-6 s; here a third of them are lost.
            now += TimeSpan.FromMilliseconds(4000 + random.Next(2001));
            agent.Poll(now);
            if (random.Next(3) != 0)
            {
                Assert.Equal(IceCheckOutcome.AnsweredNominated, agent.HandleStun(check.Build(), Browser, now, response, out _));
            }
        }

        Assert.Equal(IceAgentState.Connected, agent.State);
    }
}
