using System.Diagnostics;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// Whether this process may change the firewall: only as root, and only inside a network namespace of its own
/// (scripts/test.sh runs the tests under <c>unshare -n</c>, with only <c>lo</c>), so a rule can touch nothing else.
/// The namespace counts as private when it differs from PID 1's, or, where PID 1's cannot be read (a container's
/// user namespace), when <c>lo</c> is its only interface (read from /proc/self/net/dev): never the host's network either way.
/// </summary>
internal static class PrivateNetwork
{
    public const string Iptables = "/usr/sbin/iptables";

    /// <summary>Null when rules may be added here; else why not, for the skip message.</summary>
    public static string? WhyNot { get; } = Check();

    private static string? Check()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "needs Linux network namespaces";
        }

        if (Environment.UserName != "root")
        {
            return "needs root to change the firewall of its own network namespace (scripts/test.sh runs the tests as root under unshare -n)";
        }

        if (!File.Exists(Iptables))
        {
            return Iptables + " is missing (scripts/install-test-deps.sh installs it)";
        }

        var own = ReadLink("/proc/self/ns/net");
        var init = ReadLink("/proc/1/ns/net");
        if (own is not null && init is not null)
        {
            return own != init ? null : "runs in the host's network namespace: run it under unshare -n as scripts/test.sh does, so no host firewall rule is touched";
        }

        return Interfaces() is ["lo"]
            ? null
            : "cannot tell this network namespace from the host's (PID 1's is unreadable and interfaces other than lo exist): run it under unshare -n";
    }

    /// <summary>This namespace's interfaces, from /proc/self/net/dev (sysfs would show the namespace it was mounted in).</summary>
    private static string[] Interfaces()
    {
        try
        {
            return File.ReadAllLines("/proc/self/net/dev").Skip(2).Select(line => line.Split(':')[0].Trim()).ToArray();
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>A fact that runs only where <see cref="PrivateNetwork"/> allows firewall rules, and is skipped with the reason elsewhere.</summary>
public sealed class PrivateNetworkFactAttribute : FactAttribute
{
    public PrivateNetworkFactAttribute()
    {
        if (PrivateNetwork.WhyNot is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>
/// One iptables rule in this test's own network namespace, added now and removed (by the exact same rule) on
/// dispose. Used to make a media path fail as a network change does.
/// </summary>
internal sealed class FirewallRule : IAsyncDisposable
{
    private readonly string[] _rule;

    private FirewallRule(string[] rule) => _rule = rule;

    /// <summary>Drops UDP from <paramref name="fromPort"/> to <paramref name="toPort"/> on loopback.</summary>
    public static async Task<FirewallRule> DropUdpAsync(int fromPort, int toPort)
    {
        if (PrivateNetwork.WhyNot is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        string[] rule = ["INPUT", "-p", "udp", "-s", "127.0.0.1", "--sport", fromPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--dport", toPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-j", "DROP"];
        await RunAsync(["-I", .. rule]);
        return new FirewallRule(rule);
    }

    public async ValueTask DisposeAsync() => await RunAsync(["-D", .. _rule]);

    private static async Task RunAsync(string[] arguments)
    {
        var start = new ProcessStartInfo(PrivateNetwork.Iptables) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"iptables {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        }
    }
}
