using Microsoft.Data.Sqlite;

namespace Switchboard.Storage.Sqlite;

/// <summary>The SQLite file: opens connections with the pragmas every connection needs, and migrates the schema.</summary>
public sealed class SqliteDatabase
{
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

    /// <remarks>Microsoft.Data.Sqlite opens and runs commands synchronously; this is <see cref="Open"/> behind a task.</remarks>
    public Task<SqliteConnection> OpenAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(Open());
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

    /// <summary>Applies every migration newer than the file's version, each in its own transaction.</summary>
    /// <returns>The schema version after migrating.</returns>
    public async Task<int> MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        using (var wal = connection.CreateCommand())
        {
            // WAL lets the call engine write records while the web side reads sessions.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(ct);
        }

        var version = await GetVersionAsync(connection, ct);
        foreach (var migration in Migrations.All.Where(m => m.Version > version).OrderBy(m => m.Version))
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

    public async Task<int> GetVersionAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await GetVersionAsync(connection, ct);
    }

    private static async Task<int> GetVersionAsync(SqliteConnection connection, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
