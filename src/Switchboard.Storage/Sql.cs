using System.Data;
using System.Data.Common;

namespace Switchboard.Storage;

/// <summary>
/// Parameters and commands the same way on both engines. A null is given its type, since PostgreSQL cannot infer the
/// type of an untyped null in <c>@p IS NULL</c>; SQLite ignores the type.
/// </summary>
internal static class Sql
{
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? tx = null)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    public static DbCommand Param(this DbCommand cmd, string name, string? value) => Add(cmd, name, DbType.String, value);

    public static DbCommand Param(this DbCommand cmd, string name, long? value) => Add(cmd, name, DbType.Int64, value);

    public static DbCommand Param(this DbCommand cmd, string name, int? value) => Add(cmd, name, DbType.Int32, value);

    public static DbCommand Param(this DbCommand cmd, string name, byte[] value) => Add(cmd, name, DbType.Binary, value);

    /// <summary>A parameter with a type and no value yet, for a command that is prepared once and run with new values.</summary>
    public static DbParameter Declare(this DbCommand cmd, string name, DbType type)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.DbType = type;
        cmd.Parameters.Add(p);
        return p;
    }

    public static async Task<long> ScalarInt64Async(this DbCommand cmd, CancellationToken ct) =>
        Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);

    public static string? NullableString(this DbDataReader r, int column) => r.IsDBNull(column) ? null : r.GetString(column);

    private static DbCommand Add(DbCommand cmd, string name, DbType type, object? value)
    {
        Declare(cmd, name, type).Value = value ?? DBNull.Value;
        return cmd;
    }
}
