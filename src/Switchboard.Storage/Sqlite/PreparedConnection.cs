using Microsoft.Data.Sqlite;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// A long-lived connection that keeps each statement it has run prepared, so a hot read parses its SQL once per
/// connection instead of once per call. Used by one thread at a time (<see cref="PreparedConnectionPool"/> sees to it).
/// </summary>
internal sealed class PreparedConnection : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public PreparedConnection(SqliteConnection connection) => _connection = connection;

    /// <summary>The prepared command for <paramref name="sql"/> (a constant, never user input), its parameters made on first use.</summary>
    public SqliteCommand Command(string sql, params ReadOnlySpan<string> parameters)
    {
        if (!_commands.TryGetValue(sql, out var cmd))
        {
            cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            foreach (var name in parameters)
            {
                cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            cmd.Prepare();
            _commands.Add(sql, cmd);
        }

        return cmd;
    }

    public void Dispose()
    {
        foreach (var cmd in _commands.Values)
        {
            cmd.Dispose();
        }

        _connection.Dispose();
    }
}
