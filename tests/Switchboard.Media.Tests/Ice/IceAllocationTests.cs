using System.Net;
using Switchboard.Media.Demux;
using Switchboard.Media.Ice;
using Switchboard.Media.Stun;

namespace Switchboard.Media.Tests.Ice;

/// <summary>The per-datagram path allocates nothing once warm: demux, parse, authenticate, answer.</summary>
public class IceAllocationTests
{
    [Fact]
    public void Demultiplexing_parsing_and_answering_a_check_allocates_zero_bytes_after_warm_up()
    {
        using var agent = new IceLiteAgent(IceCredentials.Generate(), TimeSpan.Zero);
        Assert.True(agent.TrySetRemoteCredentials("Ch1d", "chromiumchromiumchromium"));
        var browser = TransportAddress.Create(IPAddress.Parse("192.0.2.10"), 50123);
        byte[] nominating = (BrowserCheck.For(agent.LocalCredentials.Ufrag, agent.LocalCredentials.Password, "Ch1d") with { UseCandidate = true }).Build();
        byte[] wrongPassword = (BrowserCheck.For(agent.LocalCredentials.Ufrag, "wrongwrongwrongwrongwrong", "Ch1d") with { UseCandidate = true }).Build();
        byte[] response = new byte[IceLiteAgent.MinResponseBufferSize];

        long Run(int iterations, long startTicks)
        {
            long answered = 0;
            for (int i = 0; i < iterations; i++)
            {
                var now = TimeSpan.FromTicks(startTicks + (i * TimeSpan.TicksPerMillisecond));
                if (MediaDemux.Classify(nominating) == DatagramKind.Stun
                    && agent.HandleStun(nominating, browser, now, response, out int length) == IceCheckOutcome.AnsweredNominated
                    && length > 0)
                {
                    answered++;
                }

                agent.HandleStun(wrongPassword, browser, now, response, out _);
                agent.Poll(now);
            }

            return answered;
        }

        Assert.Equal(100, Run(100, 0));
        while (agent.TryDequeueEvent(out _))
        {
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        long answered = Run(1000, 100 * TimeSpan.TicksPerMillisecond);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1000, answered);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Parsing_and_checking_a_vector_allocates_zero_bytes_after_warm_up()
    {
        byte[] request = Stun.Rfc5769Vectors.SampleRequest;
        byte[] key = "VOkJxbRl1RmTxUk/WvJxBt"u8.ToArray();

        int Run(int iterations)
        {
            int valid = 0;
            for (int i = 0; i < iterations; i++)
            {
                if (StunMessage.TryParse(request, out StunMessage message) == StunParseStatus.Ok
                    && message.CheckMessageIntegrity(key) == StunCheck.Valid
                    && message.CheckFingerprint() == StunCheck.Valid)
                {
                    valid++;
                }
            }

            return valid;
        }

        Run(100);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int valid = Run(1000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1000, valid);
        Assert.Equal(0, allocated);
    }
}
