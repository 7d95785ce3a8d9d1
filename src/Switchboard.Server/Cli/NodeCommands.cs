using System.CommandLine;
using System.Globalization;
using Switchboard.Server.Hosting;

namespace Switchboard.Server.Cli;

/// <summary><c>node drain</c>: take the node serving the data folder out of service without cutting a call (docs/scale-out.md, "Drain").</summary>
internal static class NodeCommands
{
    private static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(200);

    public static void AddTo(RootCommand root)
    {
        var node = new Command("node", "Control the running node");
        node.Subcommands.Add(Drain());
        root.Subcommands.Add(node);
    }

    private static Command Drain()
    {
        var wait = new Option<bool>("--wait") { Description = "Return only when the node has stopped" };
        var timeout = new Option<int>("--timeout") { Description = "With --wait: give up waiting after this many seconds (the node keeps draining)", DefaultValueFactory = _ => 3600 };
        var drain = new Command("drain", "Refuse new calls and registrations (SIP 503, so a dispatcher moves traffic away), stop when the last call has ended") { wait, timeout };
        drain.SetAction(async (result, ct) =>
        {
            var data = result.GetValue(CommonOptions.Data)!;
            if (!NodePidFile.TryFindServer(data, out var pid, out var problem) || !NodePidFile.TrySignalDrain(pid, out problem))
            {
                Console.Error.WriteLine(problem);
                return 1;
            }

            Console.WriteLine($"Node {pid.ToString(CultureInfo.InvariantCulture)} is draining: it stops when its last call has ended.");
            if (!result.GetValue(wait))
            {
                return 0;
            }

            var deadline = TimeProvider.System.GetTimestamp();
            var limit = TimeSpan.FromSeconds(Math.Max(1, result.GetValue(timeout)));
            while (Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}"))
            {
                if (TimeProvider.System.GetElapsedTime(deadline) > limit)
                {
                    Console.Error.WriteLine($"Node {pid} still has calls after {limit.TotalSeconds:0} s; it goes on draining.");
                    return 2;
                }

                await Task.Delay(WaitStep, ct);
            }

            Console.WriteLine("Node stopped.");
            return 0;
        });
        return drain;
    }
}
