using System.Net;
using Switchboard.Media.Ice;

namespace Switchboard.Media.Tests.Ice;

public class IceSdpTests
{
    [Theory]
    [InlineData(IceCandidateType.Host, 65535, 1, 2130706431u)]
    [InlineData(IceCandidateType.Host, 65535, 2, 2130706430u)]
    [InlineData(IceCandidateType.Host, 0, 1, 2113929471u)]
    [InlineData(IceCandidateType.ServerReflexive, 65535, 1, 1694498815u)]
    [InlineData(IceCandidateType.PeerReflexive, 65535, 1, 1862270975u)]
    [InlineData(IceCandidateType.Relayed, 65535, 1, 16777215u)]
    public void Priority_follows_RFC_8445_section_5_1_2(IceCandidateType type, int localPreference, int component, uint expected)
    {
        Assert.Equal(expected, IceSdp.ComputePriority(type, localPreference, component));
    }

    [Fact]
    public void Candidate_line_has_the_RFC_8839_shape()
    {
        string line = IceSdp.CandidateLine(new IceHostCandidate(IPAddress.Parse("127.0.0.1"), 40000));

        string[] parts = line.Split(' ');
        Assert.StartsWith("a=candidate:", parts[0], StringComparison.Ordinal);
        string foundation = parts[0]["a=candidate:".Length..];
        Assert.InRange(foundation.Length, 1, 32);
        Assert.All(foundation, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '+' or '/'));
        Assert.Equal(["1", "udp", "2130706431", "127.0.0.1", "40000", "typ", "host"], parts[1..]);
    }

    [Fact]
    public void Ipv6_candidates_are_written_bare_with_their_own_foundation()
    {
        string v4 = IceSdp.CandidateLine(new IceHostCandidate(IPAddress.Parse("192.0.2.1"), 40000));
        string v6 = IceSdp.CandidateLine(new IceHostCandidate(IPAddress.Parse("2001:db8::1"), 40000, LocalPreference: 65534));
        string v4OtherPort = IceSdp.CandidateLine(new IceHostCandidate(IPAddress.Parse("192.0.2.1"), 40002));

        Assert.EndsWith(" 2130706175 2001:db8::1 40000 typ host", v6, StringComparison.Ordinal);
        Assert.NotEqual(v4.Split(' ')[0], v6.Split(' ')[0]);
        Assert.Equal(v4.Split(' ')[0], v4OtherPort.Split(' ')[0]);
    }

    [Fact]
    public void Wildcard_addresses_are_refused()
    {
        Assert.Throws<ArgumentException>(() => IceSdp.CandidateLine(new IceHostCandidate(IPAddress.Any, 40000)));
        Assert.Throws<ArgumentException>(() => IceSdp.CandidateLine(new IceHostCandidate(IPAddress.IPv6Any, 40000)));
        Assert.Throws<ArgumentOutOfRangeException>(() => IceSdp.CandidateLine(new IceHostCandidate(IPAddress.Loopback, 0)));
    }

    [Fact]
    public void Media_lines_come_in_order_with_end_of_candidates()
    {
        IceCredentials local = IceCredentials.Generate();
        IReadOnlyList<string> lines = IceSdp.MediaLines(local, [new IceHostCandidate(IPAddress.Loopback, 40000)]);

        Assert.Equal(4, lines.Count);
        Assert.Equal("a=ice-ufrag:" + local.Ufrag, lines[0]);
        Assert.Equal("a=ice-pwd:" + local.Password, lines[1]);
        Assert.StartsWith("a=candidate:", lines[2], StringComparison.Ordinal);
        Assert.Equal("a=end-of-candidates", lines[3]);
        Assert.Equal("a=ice-lite", IceSdp.IceLiteLine);
    }

    [Fact]
    public void Generated_credentials_are_ice_chars_of_the_required_length_and_differ()
    {
        var seen = new HashSet<string>();
        for (int i = 0; i < 200; i++)
        {
            IceCredentials credentials = IceCredentials.Generate();
            Assert.True(IceCredentials.IsValidUfrag(credentials.Ufrag));
            Assert.True(IceCredentials.IsValidPassword(credentials.Password));
            Assert.True(credentials.Ufrag.Length >= 4);
            Assert.True(credentials.Password.Length >= 22);
            Assert.True(seen.Add(credentials.Password));
        }
    }

    [Fact]
    public void Credentials_never_print_the_password()
    {
        IceCredentials credentials = IceCredentials.Generate();
        Assert.DoesNotContain(credentials.Password, credentials.ToString(), StringComparison.Ordinal);
    }
}
