using System.Data.Common;

namespace Switchboard.Storage;

/// <summary>
/// The database the stores keep their tables in: SQLite (a file in the data folder, the default) or PostgreSQL (shared
/// by several nodes, docs/scale-out.md). The stores' SQL is written once, in what both engines understand (named
/// <c>@parameters</c>, <c>RETURNING</c>, <c>ON CONFLICT</c>, <c>IS NOT DISTINCT FROM</c>); an engine supplies
/// connections, its schema's history and how it reports a broken unique constraint.
/// </summary>
public abstract class StoreDatabase : IDisposable
{
    /// <summary>Where the data is, as the start-up log says it: the SQLite file's path, or PostgreSQL's host, port and database (never a password).</summary>
    public abstract string Description { get; }

    /// <summary>
    /// True when several PBX processes may use this database at once (PostgreSQL); a SQLite file belongs to the one
    /// process of its data folder. Decides when another process's live calls may be taken as interrupted.
    /// </summary>
    public abstract bool IsShared { get; }

    /// <summary>This process among those that use the database: random per start, written on its live markers and heartbeat.</summary>
    public string Node { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <summary>An open connection, ready for the stores' SQL; the caller disposes it.</summary>
    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken ct = default);

    /// <summary>Applies every migration newer than the database's version, each in its own transaction.</summary>
    /// <returns>The schema version after migrating.</returns>
    public abstract Task<int> MigrateAsync(CancellationToken ct = default);

    public abstract Task<int> GetVersionAsync(CancellationToken ct = default);

    /// <summary>
    /// Whether the store answers now (the readiness check, <c>/readyz</c>): a trivial query on a connection that proves
    /// the database can be reached afresh, not only through one a pool kept open. Throws when it cannot.
    /// </summary>
    public abstract Task ProbeAsync(CancellationToken ct = default);

    /// <summary>True when <paramref name="ex"/> says a row broke a UNIQUE or PRIMARY KEY constraint.</summary>
    public abstract bool IsUniqueViolation(DbException ex);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes what the engine keeps open (PostgreSQL's pool); a SQLite file has nothing to close.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Prepares a command that a long-lived connection runs again and again (<see cref="PreparedConnection"/>).</summary>
    public abstract Task PrepareAsync(DbCommand command, CancellationToken ct = default);
}
