using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Switchboard.Storage.Sqlite;

/// <summary>The SQLite file: opens connections with the pragmas every connection needs, and migrates the schema.</summary>
public sealed class SqliteDatabase : StoreDatabase
{
    private const int SqliteConstraint = 19;
    private readonly string _connectionString;

    public SqliteDatabase(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 10,
        }.ToString();
    }

    public string Path { get; }

    public override string Description => "SQLite " + Path;

    public override bool IsShared => false;

    /// <remarks>Microsoft.Data.Sqlite opens and runs commands synchronously; this is <see cref="Open"/> behind a task.</remarks>
    public override ValueTask<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return ValueTask.FromResult<DbConnection>(Open());
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";
            pragma.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <remarks>
    /// A connection of its own (no pool: a pooled one keeps its file open and would go on answering after the file or its
    /// folder went away) that may not create the file (a missing file would become an empty database), reading the
    /// schema's first page.
    /// </remarks>
    public override async Task ProbeAsync(CancellationToken ct = default)
    {
        var probe = new SqliteConnectionStringBuilder(_connectionString) { Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        await using var connection = new SqliteConnection(probe);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master;";
        await command.ExecuteScalarAsync(ct);
    }

    public override bool IsUniqueViolation(DbException ex) => ex is SqliteException { SqliteErrorCode: SqliteConstraint };

    /// <summary>Applies every migration newer than the file's version, each in its own transaction.</summary>
    /// <returns>The schema version after migrating.</returns>
    public override async Task<int> MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = Open();
        using (var wal = connection.CreateCommand())
        {
            // WAL lets the call engine write records while the web side reads sessions.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(ct);
        }

        var version = await GetVersionAsync(connection, ct);
        foreach (var migration in SqliteMigrations.All.Where(m => m.Version > version).OrderBy(m => m.Version))
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = migration.Sql + $"\nPRAGMA user_version = {migration.Version};";
            await command.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            version = migration.Version;
        }

        return version;
    }

    public override async Task<int> GetVersionAsync(CancellationToken ct = default)
    {
        await using var connection = Open();
        return await GetVersionAsync(connection, ct);
    }

    private static async Task<int> GetVersionAsync(SqliteConnection connection, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <remarks>Microsoft.Data.Sqlite prepares synchronously.</remarks>
    public override Task PrepareAsync(DbCommand command, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Prepare();
        return Task.CompletedTask;
    }
}
