using System.Data.Common;
using Npgsql;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// A PostgreSQL database shared by the PBX's nodes (docs/scale-out.md), reached through one Npgsql data source: its
/// pool, and its automatic preparation of the statements a connection runs again and again.
/// </summary>
public sealed class PostgresDatabase : StoreDatabase
{
    /// <summary>Serializes migrations across nodes that start together: a transaction-scoped advisory lock on this key.</summary>
    private const long MigrationLock = 0x5357_4254_4348; // "SWBTCH"

    private readonly NpgsqlDataSource _source;

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);

        // The hot reads and the record writer run the same few statements: let Npgsql keep them prepared on the server.
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
        }

        _source = NpgsqlDataSource.Create(builder.ConnectionString);
        Description = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
    }

    public override string Description { get; }

    public override bool IsShared => true;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken ct = default) => await _source.OpenConnectionAsync(ct);

    /// <remarks>A pooled connection is fine here: Npgsql's pool does not hide a server that stopped answering, the query fails.</remarks>
    public override async Task ProbeAsync(CancellationToken ct = default)
    {
        await using var connection = await _source.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("SELECT 1;", connection);
        await command.ExecuteScalarAsync(ct);
    }

    public override bool IsUniqueViolation(DbException ex) => ex is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <remarks>Npgsql's automatic preparation (<see cref="NpgsqlConnectionStringBuilder.MaxAutoPrepare"/>) already covers it.</remarks>
    public override Task PrepareAsync(DbCommand command, CancellationToken ct = default) => Task.CompletedTask;

    /// <summary>
    /// Applies every migration newer than <c>schema_migrations</c> says, each in its own transaction with the row that
    /// records it. Nodes starting at once take turns: each migration's transaction holds an advisory lock and reads the
    /// version again under it, so a migration runs once.
    /// </summary>
    public override async Task<int> MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = await _source.OpenConnectionAsync(ct);
        await using (var create = new NpgsqlCommand(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL);", connection))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        var version = await GetVersionAsync(connection, null, ct);
        foreach (var migration in PostgresMigrations.All.Where(m => m.Version > version).OrderBy(m => m.Version))
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key);", connection, tx))
            {
                take.Parameters.AddWithValue("key", MigrationLock);
                await take.ExecuteNonQueryAsync(ct);
            }

            if (await GetVersionAsync(connection, tx, ct) < migration.Version)
            {
                await using var command = new NpgsqlCommand(migration.Sql, connection, tx);
                await command.ExecuteNonQueryAsync(ct);
                await using var record = new NpgsqlCommand(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, (extract(epoch FROM clock_timestamp()) * 1000)::bigint);",
                    connection, tx);
                record.Parameters.AddWithValue("version", migration.Version);
                await record.ExecuteNonQueryAsync(ct);
            }

            await tx.CommitAsync(ct);
            version = migration.Version;
        }

        return await GetVersionAsync(connection, null, ct);
    }

    public override async Task<int> GetVersionAsync(CancellationToken ct = default)
    {
        await using var connection = await _source.OpenConnectionAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('schema_migrations') IS NOT NULL;", connection);
        return (bool)(await exists.ExecuteScalarAsync(ct))! ? await GetVersionAsync(connection, null, ct) : 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
        }

        base.Dispose(disposing);
    }

    private static async Task<int> GetVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", connection, tx);
        return (int)(await command.ExecuteScalarAsync(ct))!;
    }
}
