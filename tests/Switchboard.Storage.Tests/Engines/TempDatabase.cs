using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Switchboard.Pbx.Security;
using Switchboard.Storage.Postgres;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Storage.Tests.Engines;

/// <summary>
/// An empty database of one engine, removed afterwards: a SQLite file in a fresh temporary folder, or a fresh database
/// in the test run's throwaway PostgreSQL cluster (<see cref="PostgresCluster"/>).
/// </summary>
internal sealed class TempDatabase : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly PostgresCluster? _cluster;
    private readonly string _name;

    private TempDatabase(TestEngine engine, string name, string? folder, PostgresCluster? cluster)
    {
        Engine = engine;
        _name = name;
        _folder = folder;
        _cluster = cluster;
        Database = OpenOther();
        Secrets = new AesGcmSecretProtector(RandomNumberGenerator.GetBytes(32));
    }

    public TestEngine Engine { get; }

    public StoreDatabase Database { get; }

    public AesGcmSecretProtector Secrets { get; }

    public static async Task<TempDatabase> CreateAsync(TestEngine engine)
    {
        if (engine == TestEngine.Sqlite)
        {
            var folder = Directory.CreateTempSubdirectory("sb-storage-").FullName;
            return new TempDatabase(engine, Path.Combine(folder, "test.db"), folder, null);
        }

        var store = await PostgresCluster.CreateDatabaseAsync("sb");
        return new TempDatabase(engine, new Npgsql.NpgsqlConnectionStringBuilder(store).Database!, null, await PostgresCluster.SharedAsync());
    }

    /// <summary>A second handle on the same database, as another process (the admin CLI, another node) would open it.</summary>
    public StoreDatabase OpenOther() => _cluster is null ? new SqliteDatabase(_name) : new PostgresDatabase(_cluster.ConnectionString(_name));

    /// <summary>The engine's migrations (the same numbers on both).</summary>
    public IReadOnlyList<Migration> Migrations => _cluster is null ? SqliteMigrations.All : PostgresMigrations.All;

    /// <summary>A byte string literal in the engine's SQL.</summary>
    public string HexBytes(string hex) => _cluster is null ? $"x'{hex}'" : $"'\\x{hex}'::bytea";

    /// <summary>The database an earlier release left: the migrations up to <paramref name="version"/>, then <paramref name="rows"/>.</summary>
    public async Task SetUpVersionAsync(int version, string rows)
    {
        var migrations = string.Join('\n', Migrations.Where(m => m.Version <= version).OrderBy(m => m.Version).Select(m => m.Sql));
        var marker = _cluster is null
            ? $"PRAGMA user_version = {version};"
            : "CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL);\n" +
              $"INSERT INTO schema_migrations (version, applied_at) SELECT v, 0 FROM generate_series(1, {version}) AS v;";
        await using var c = await Database.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = migrations + "\n" + rows + "\n" + marker;
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// SQL that, run on a connection of its own, holds the call record writer's tables locked until <c>ROLLBACK</c>,
    /// as a stalled disk (SQLite) or a long transaction of another node (PostgreSQL) would.
    /// </summary>
    public string HoldWriteLockSql => _cluster is null
        ? "BEGIN IMMEDIATE;"
        : "BEGIN; LOCK TABLE call_records, live_calls, node_heartbeats IN EXCLUSIVE MODE;";

    /// <summary>The plan the engine picks for <paramref name="cmd"/>, one line per step.</summary>
    /// <remarks>PostgreSQL would scan a test's few rows rather than use any index: scans are priced out so the plan shows the index that fits.</remarks>
    public async Task<List<string>> ExplainAsync(System.Data.Common.DbCommand cmd)
    {
        ArgumentNullException.ThrowIfNull(cmd);
        if (_cluster is not null)
        {
            await using var setting = cmd.Connection!.CreateCommand();
            setting.CommandText = "SET enable_seqscan = off;";
            await setting.ExecuteNonQueryAsync();
        }

        cmd.CommandText = (_cluster is null ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + cmd.CommandText;
        var plan = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            plan.Add(r.GetString(_cluster is null ? 3 : 0));
        }

        return plan;
    }

    /// <summary>The tables the schema has, by name, without the engine's own bookkeeping.</summary>
    public async Task<List<string>> ListTablesAsync()
    {
        await using var c = await Database.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = _cluster is null
            ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name;";
        var tables = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            tables.Add(r.GetString(0));
        }

        return tables;
    }

    /// <summary>The columns of <paramref name="table"/> in the order they were made.</summary>
    public async Task<List<string>> ListColumnsAsync(string table)
    {
        await using var c = await Database.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = _cluster is null
            ? "SELECT name FROM pragma_table_info(@table) ORDER BY cid;"
            : "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = @table ORDER BY ordinal_position;";
        var p = cmd.CreateParameter();
        p.ParameterName = "@table";
        p.Value = table;
        cmd.Parameters.Add(p);
        var columns = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            columns.Add(r.GetString(0));
        }

        return columns;
    }

    /// <summary>Every byte the engine keeps of this database on disk (for tests that secrets are not there in the clear).</summary>
    public async Task<byte[]> ReadStoredBytesAsync()
    {
        if (_cluster is null)
        {
            var wal = _name + "-wal";
            return [.. await File.ReadAllBytesAsync(_name), .. File.Exists(wal) ? await File.ReadAllBytesAsync(wal) : []];
        }

        return await _cluster.ReadStoredBytesAsync(_name);
    }

    public async ValueTask DisposeAsync()
    {
        Secrets.Dispose();
        Database.Dispose();
        if (_cluster is null)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_folder!, recursive: true);
        }
        else
        {
            // FORCE ends the connections of handles a test opened and did not close (OpenOther).
            await _cluster.ExecuteAsync($"DROP DATABASE IF EXISTS {_name} WITH (FORCE);");
        }
    }
}
