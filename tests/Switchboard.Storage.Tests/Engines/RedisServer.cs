using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Switchboard.Storage.Redis;

namespace Switchboard.Storage.Tests.Engines;

/// <summary>
/// A throwaway Redis for one test run, from Debian's <c>redis-server</c>: listening on 127.0.0.1 only at a free port, no
/// persistence, its working folder a temporary one; killed by its PID when the test process exits (and by an
/// <see cref="OrphanWatchdog"/> when the process went without running its exit handlers). Each test takes its
/// own key prefix (<see cref="ConnectAsync"/>), so tests share the server without seeing each other's keys. When it
/// cannot start, <see cref="SharedAsync"/> throws with the server's own words: the tests fail, never skip.
/// </summary>
public sealed class RedisServer
{
    private static readonly Lazy<Task<RedisServer>> Shared = new(StartAsync);
    private static int _prefixes;

    private RedisServer(Process process, int port)
    {
        Process = process;
        Port = port;
    }

    public Process Process { get; }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public static Task<RedisServer> SharedAsync() => Shared.Value;

    /// <summary>A new connection under a prefix no other test uses: one per simulated node.</summary>
    public static async Task<RedisSharedState> ConnectAsync(string prefix)
    {
        var server = await SharedAsync();
        return await RedisSharedState.ConnectAsync(server.Configuration, prefix);
    }

    /// <summary>A prefix of its own for one test (every node of that test uses the same one).</summary>
    public static string NewPrefix(string name) => $"test:{Environment.ProcessId}:{Interlocked.Increment(ref _prefixes)}:{name}:";

    private static async Task<RedisServer> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("switchboard-redis-").FullName;
        var port = FreePort();
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--dir", folder, "--daemonize", "no", "--protected-mode", "yes" })
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("redis-server could not be started.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is missing: run scripts/install-test-deps.sh (Debian package redis-server).", e);
        }

        var output = new System.Text.StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process, folder);
        OrphanWatchdog.Watch(process.Id, "redis-server", "TERM", folder);

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(20)));
        if (first != ready.Task)
        {
            Stop(process, folder);
            lock (output)
            {
                throw new InvalidOperationException($"redis-server did not become ready on 127.0.0.1:{port}: {output}");
            }
        }

        return new RedisServer(process, port);
    }

    private static void Stop(Process process, string folder)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
