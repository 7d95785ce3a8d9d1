using System.Data;
using System.Data.Common;

namespace Switchboard.Storage;

/// <summary>
/// A long-lived connection that keeps each statement it has run prepared, so a hot read parses its SQL once per
/// connection instead of once per call. Used by one caller at a time (<see cref="PreparedConnectionPool"/> sees to it).
/// </summary>
internal sealed class PreparedConnection : IAsyncDisposable
{
    private readonly StoreDatabase _db;
    private readonly DbConnection _connection;
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    public PreparedConnection(StoreDatabase db, DbConnection connection)
    {
        _db = db;
        _connection = connection;
    }

    /// <summary>The prepared command for <paramref name="sql"/> (a constant, never user input), its parameters made on first use.</summary>
    public async ValueTask<DbCommand> CommandAsync(string sql, CancellationToken ct, params (string Name, DbType Type)[] parameters)
    {
        if (!_commands.TryGetValue(sql, out var cmd))
        {
            cmd = _connection.Command(sql);
            foreach (var (name, type) in parameters)
            {
                cmd.Declare(name, type);
            }

            await _db.PrepareAsync(cmd, ct);
            _commands.Add(sql, cmd);
        }

        return cmd;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var cmd in _commands.Values)
        {
            await cmd.DisposeAsync();
        }

        await _connection.DisposeAsync();
    }
}
