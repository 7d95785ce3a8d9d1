using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Switchboard.Storage.Tests.Engines;

/// <summary>
/// A throwaway PostgreSQL cluster for one test run, made from Debian's <c>postgresql</c> package: <c>initdb</c> into a
/// temporary folder, <c>pg_ctl start</c> listening on 127.0.0.1 only (a free port, its Unix socket in the same folder),
/// and at the end of the run <c>pg_ctl stop -m fast</c>, then a kill by PID if it is still there. Every wait is
/// bounded. When it cannot start, <see cref="SharedAsync"/> throws with the tool's own words: the tests fail, never skip.
/// </summary>
/// <remarks>
/// PostgreSQL refuses to run as root, and CI runs as root: then every tool runs as the <c>postgres</c> user (which
/// Debian's package creates) through <c>runuser</c>, and the temporary folder is opened to it.
/// </remarks>
public sealed class PostgresCluster
{
    /// <summary>The superuser initdb makes; trust authentication, since only loopback and the folder's socket reach it.</summary>
    private const string User = "switchboard";

    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Task<PostgresCluster>> Shared = new(StartSharedAsync);
    private static int _databases;

    private readonly string _bin;
    private readonly string _folder;
    private readonly string? _runAs;

    private PostgresCluster(string bin, string folder, string? runAs, int port, int pid)
    {
        _bin = bin;
        _folder = folder;
        _runAs = runAs;
        Port = port;
        Pid = pid;
    }

    public int Port { get; }

    /// <summary>The postmaster's process id, read from <c>postmaster.pid</c>: what the stop kills if pg_ctl could not stop it.</summary>
    public int Pid { get; }

    private string DataDirectory => Path.Combine(_folder, "data");

    /// <summary>The run's cluster, started by the first test that needs it and stopped when the test process exits.</summary>
    public static Task<PostgresCluster> SharedAsync() => Shared.Value;

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = User, Database = database, Timeout = 15, CommandTimeout = 60 }.ConnectionString;

    /// <summary>A new empty database in the run's cluster, named after <paramref name="prefix"/> and this process; its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var cluster = await SharedAsync();
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await cluster.ExecuteAsync($"CREATE DATABASE {name};");
        return cluster.ConnectionString(name);
    }

    /// <summary>Runs a statement on the maintenance database (CREATE DATABASE and the like).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The database's files and the write-ahead log, after a checkpoint has written everything out.</summary>
    public async Task<byte[]> ReadStoredBytesAsync(string database)
    {
        await ExecuteAsync("CHECKPOINT;");
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT oid FROM pg_database WHERE datname = @name;", connection);
        command.Parameters.AddWithValue("name", database);
        var oid = (uint)(await command.ExecuteScalarAsync())!;
        var bytes = new List<byte>();
        foreach (var folder in new[] { Path.Combine(DataDirectory, "base", oid.ToString(System.Globalization.CultureInfo.InvariantCulture)), Path.Combine(DataDirectory, "pg_wal") })
        {
            foreach (var file in Directory.EnumerateFiles(folder))
            {
                bytes.AddRange(await File.ReadAllBytesAsync(file));
            }
        }

        return [.. bytes];
    }

    private static async Task<PostgresCluster> StartSharedAsync()
    {
        var cluster = await StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
        // SIGINT is PostgreSQL's fast shutdown, what pg_ctl -m fast sends.
        OrphanWatchdog.Watch(cluster.Pid, "postgres", "INT", cluster._folder);
        return cluster;
    }

    public static async Task<PostgresCluster> StartAsync()
    {
        RemoveStoppedClusters();
        var bin = FindBin();
        var runAs = Environment.IsPrivilegedProcess ? "postgres" : null;
        var folder = Directory.CreateTempSubdirectory("sb-pg-").FullName;
        if (runAs is not null && OperatingSystem.IsLinux())
        {
            // initdb, running as postgres, makes data/ inside it (mode 0700, its own); the folder itself only needs to let it in.
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
        }

        var data = Path.Combine(folder, "data");
        await RunAsync(bin, runAs, "initdb", ["-D", data, "-U", User, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);

        // A free loopback port, found by binding port 0; another process could take it before the cluster does, so a few tries.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var options = $"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={folder} " +
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
            try
            {
                await RunAsync(bin, runAs, "pg_ctl", ["-D", data, "-l", Path.Combine(folder, "postgres.log"), "-w", "-t", "30", "-o", options, "start"]);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                continue;
            }

            var pid = int.Parse((await File.ReadAllLinesAsync(Path.Combine(data, "postmaster.pid")))[0], System.Globalization.CultureInfo.InvariantCulture);
            return new PostgresCluster(bin, folder, runAs, port, pid);
        }
    }

    /// <summary>pg_ctl's fast stop (bounded), then a kill by PID if pg_ctl did not stop the postmaster; the folder goes too.</summary>
    public void Stop()
    {
        if (!StopWithPgCtl())
        {
            try
            {
                using var postmaster = Process.GetProcessById(Pid);
                postmaster.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file still held open by a postmaster being killed; the folder is in the system's temporary folder and harmless.
        }
    }

    private bool StopWithPgCtl()
    {
        try
        {
            using var stop = Start(_bin, _runAs, "pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "10", "stop"]);
            if (stop.WaitForExit(15_000))
            {
                return stop.ExitCode == 0;
            }

            stop.Kill();
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The folders of earlier runs' clusters that are no longer running (no <c>postmaster.pid</c>). The test host may be
    /// ended before its exit handler has removed the folder of a cluster it stopped; the next run tidies up after it.
    /// </summary>
    private static void RemoveStoppedClusters()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), "sb-pg-*"))
        {
            if (!File.Exists(Path.Combine(folder, "data", "postmaster.pid")) && Directory.GetLastWriteTimeUtc(folder) < TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(-1))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Another run's, or not ours to remove: left alone.
                }
            }
        }
    }

    private static string FindBin()
    {
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_PG_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        // Debian installs each major version side by side: take the newest.
        var versions = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [];
        var bin = versions.Select(v => Path.Combine(v, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb")))
            .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var major) ? major : 0)
            .FirstOrDefault();
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb. Install Debian's postgresql (scripts/install-test-deps.sh) or set SWITCHBOARD_PG_BIN.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string bin, string? runAs, string tool, string[] arguments)
    {
        using var process = Start(bin, runAs, tool, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ToolTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{tool} did not finish within {ToolTimeout.TotalSeconds} s.");
        }

        if (process.ExitCode != 0)
        {
            var log = arguments.SkipWhile(a => a != "-l").Skip(1).FirstOrDefault() is { } path && File.Exists(path) ? await File.ReadAllTextAsync(path) : "";
            throw new InvalidOperationException(new StringBuilder()
                .Append(tool).Append(" failed with exit code ").Append(process.ExitCode).Append(runAs is null ? "" : $" (run as {runAs})").AppendLine(":")
                .AppendLine(await output).AppendLine(await error).Append(log).ToString());
        }
    }

    private static Process Start(string bin, string? runAs, string tool, string[] arguments)
    {
        var info = new ProcessStartInfo
        {
            FileName = runAs is null ? Path.Combine(bin, tool) : "runuser",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (runAs is not null)
        {
            foreach (var a in new[] { "-u", runAs, "--", Path.Combine(bin, tool) })
            {
                info.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"{tool} could not be started.");
    }
}
