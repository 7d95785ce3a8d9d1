using Microsoft.Data.Sqlite;

namespace Switchboard.MediaLoad.Soak;

/// <summary>
/// The call records a soak left, read straight from the PBX's database once the PBX has stopped (a clean stop
/// flushes the last batch): the CLI's listing is capped at 1,000 rows, a soak writes tens of thousands.
/// </summary>
internal static class CallRecordCount
{
    public static async Task<(Dictionary<string, long> ByReason, long Answered)> ReadAsync(string dataDirectory, CancellationToken ct)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "switchboard.db"), Mode = SqliteOpenMode.ReadOnly };
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(ct);
        var byReason = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT reason, COUNT(*) FROM call_records GROUP BY reason";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                byReason[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        await using var answered = connection.CreateCommand();
        answered.CommandText = "SELECT COUNT(*) FROM call_records WHERE answered_at IS NOT NULL";
        return (byReason, (long)(await answered.ExecuteScalarAsync(ct))!);
    }
}
