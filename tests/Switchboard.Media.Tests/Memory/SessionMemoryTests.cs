using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Phone;
using Switchboard.Media.Shards;
using Switchboard.Media.Tests.WebRtc;
using Switchboard.Media.WebRtc;
using Xunit.Abstractions;

namespace Switchboard.Media.Tests.Memory;

/// <summary>
/// What one session retains once connected, split by component (issue 9: memory per bridged call):
/// WebRTC sessions through a full in-memory ICE + DTLS handshake, and RTP sessions. Two ways: the
/// reflection estimate per field (what two sessions share, such as the certificate, logger and
/// options, is charged to neither), and <see cref="GC.GetTotalMemory(bool)"/> over N sessions.
/// </summary>
public sealed class SessionMemoryTests(ITestOutputHelper output)
{
    private const int Sessions = 8;

    [Fact]
    public async Task A_connected_WebRtc_session_retains_what_its_parts_need()
    {
        var calls = new List<InMemoryCall>();
        var scratch = new MediaScratch();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < Sessions; i++)
        {
            var call = await InMemoryCall.StartAsync(seed: i, loss: 0, scratch: scratch);
            await call.ConnectAsync();
            call.Run(TimeSpan.FromSeconds(1));
            await call.ReleaseBrowserAsync();
            calls.Add(call);
        }

        var servers = calls.Select(c => c.Server).ToList();
        foreach (var call in calls)
        {
            call.Network.TakeReordered();
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        var sizes = new RetainedSize();
        sizes.Exclude(servers[0]);
        sizes.Exclude(calls[0]);

        // The test's own parts (its event queue, its simulated network) are not the session's.
        sizes.Exclude(calls[1].Events);
        sizes.Exclude(calls[1].Network);
        long total = Report(sizes, servers[1], depth: 3, (after - before) / Sessions, "with the test's browser side and network");
        GC.KeepAlive(servers);
        foreach (var call in calls)
        {
            await call.DisposeAsync();
        }

        Assert.InRange(total, 1, WebRtcSessionBudget);
    }

    [Fact]
    public void An_RTP_session_retains_what_its_parts_need()
    {
        var sessions = new List<RtpSession>();
        var scratch = new MediaScratch();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < Sessions * 16; i++)
        {
            sessions.Add(new RtpSession(new NullSender(), AddressFamily.InterNetwork, 20000 + i, NullLogger.Instance, _ => { }, scratch));
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        var sizes = new RetainedSize();
        sizes.Exclude(sessions[0]);
        long total = Report(sizes, sessions[1], depth: 2, (after - before) / (Sessions * 16), "the sessions alone");
        GC.KeepAlive(sessions);
        Assert.InRange(total, 1, RtpSessionBudget);
    }

    /// <summary>
    /// Upper bounds a little above what was measured (December 2026, BouncyCastle 2.7: 21 KB and 0.6 KB), so that a regression shows.
    /// </summary>
    private const long WebRtcSessionBudget = 25 * 1024;

    private const long RtpSessionBudget = 1024;

    /// <summary>Writes the GC's figure per session beside the estimate and its breakdown; returns the estimate.</summary>
    private long Report(RetainedSize sizes, object session, int depth, long gcBytesPerSession, string gcIncludes)
    {
        var report = new StringBuilder();
        long total = Tree(sizes, session, session.GetType().Name, depth, report);
        output.WriteLine($"GC.GetTotalMemory per session ({gcIncludes}): {gcBytesPerSession / 1024.0:0.00} KB");
        output.WriteLine($"Reflection estimate, one session: {total / 1024.0:0.00} KB");
        output.WriteLine(report.ToString());
        return total;
    }

    /// <summary>The object's own fields, each with what it retains (recursing <paramref name="depth"/> levels into the larger ones); returns the total.</summary>
    private static long Tree(RetainedSize sizes, object root, string name, int depth, StringBuilder report, string indent = "")
    {
        var own = sizes.MeasureShallow(root);
        var parts = new List<(string Name, long Bytes, object? Value)>();
        foreach (var field in RetainedSize.Fields(root.GetType()))
        {
            var value = field.FieldType.IsValueType ? null : field.GetValue(root);
            if (value is null)
            {
                continue;
            }

            if (depth > 0 && !value.GetType().IsArray && value is not string && sizes.IsNew(value))
            {
                var sub = new StringBuilder();
                long bytes = Tree(sizes, value, field.Name + " (" + value.GetType().Name + ")", depth - 1, sub, indent + "  ");
                parts.Add((sub.ToString(), bytes, null));
            }
            else
            {
                long bytes = sizes.Measure(value);
                parts.Add((indent + "  " + field.Name + " (" + value.GetType().Name + "): " + bytes + " B\n", bytes, null));
            }
        }

        long total = own + parts.Sum(p => p.Bytes);
        report.Append(indent).Append(name).Append(": ").Append(total).Append(" B (own fields ").Append(own).Append(" B)\n");
        foreach (var part in parts.Where(p => p.Bytes >= 256).OrderByDescending(p => p.Bytes))
        {
            report.Append(part.Name);
        }

        return total;
    }

    private sealed class NullSender : IRtpSender
    {
        public bool Send(ReadOnlySpan<byte> packet, System.Net.SocketAddress destination) => true;
    }
}
