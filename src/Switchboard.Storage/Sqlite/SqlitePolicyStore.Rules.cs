using Microsoft.Data.Sqlite;
using Switchboard.Pbx.Policy;

namespace Switchboard.Storage.Sqlite;

public sealed partial class SqlitePolicyStore
{
    private const string RuleOwner = "domain_id = $domainId AND extension_id IS $extensionId";

    public async Task<DialRuleEntry> AddDialRuleAsync(string domain, string? extension, int? position, DialRule rule, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfLessThan(position ?? 1, 1, nameof(position));
        await using var c = await _db.OpenAsync(ct);
        var (domainId, extensionId) = await OwnerAsync(c, domain, extension, ct);
        await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(ct);
        using var count = Command(c, tx, $"SELECT COUNT(*) FROM dial_rules WHERE {RuleOwner};", domainId, extensionId);
        var existing = (int)(long)(await count.ExecuteScalarAsync(ct))!;
        var at = Math.Min(position ?? existing + 1, existing + 1);

        using var shift = Command(c, tx, $"UPDATE dial_rules SET position = position + 1 WHERE {RuleOwner} AND position >= $at;", domainId, extensionId);
        shift.Parameters.AddWithValue("$at", at);
        await shift.ExecuteNonQueryAsync(ct);

        using var insert = Command(c, tx, "INSERT INTO dial_rules (domain_id, extension_id, position, pattern, trunk, strip, prefix) " +
            "VALUES ($domainId, $extensionId, $at, $pattern, $trunk, $strip, $prefix) RETURNING id;", domainId, extensionId);
        insert.Parameters.AddWithValue("$at", at);
        insert.Parameters.AddWithValue("$pattern", rule.Pattern.Text);
        insert.Parameters.AddWithValue("$trunk", rule.Trunk);
        insert.Parameters.AddWithValue("$strip", rule.Strip);
        insert.Parameters.AddWithValue("$prefix", rule.Prefix);
        var id = (long)(await insert.ExecuteScalarAsync(ct))!;
        await tx.CommitAsync(ct);
        return new DialRuleEntry(id, domain, extension, at, rule);
    }

    public async Task<IReadOnlyList<DialRuleEntry>> ListDialRulesAsync(string domain, string? extension, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT r.id, r.position, r.pattern, r.trunk, r.strip, r.prefix FROM dial_rules r " +
            "JOIN domains d ON d.id = r.domain_id LEFT JOIN extensions e ON e.id = r.extension_id " +
            "WHERE d.name = $domain AND e.number IS $number ORDER BY r.position;";
        cmd.Parameters.AddWithValue("$domain", domain);
        cmd.Parameters.AddWithValue("$number", (object?)extension ?? DBNull.Value);
        var list = new List<DialRuleEntry>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            // Rules were checked when written: one that no longer parses is a bug, not user input.
            var rule = new DialRule(DialPattern.Parse(r.GetString(2)), r.GetString(3), r.GetInt32(4), r.GetString(5));
            list.Add(new DialRuleEntry(r.GetInt64(0), domain, extension, r.GetInt32(1), rule));
        }

        return list;
    }

    public async Task<bool> RemoveDialRuleAsync(long id, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(ct);
        using var delete = c.CreateCommand();
        delete.Transaction = tx;
        delete.CommandText = "DELETE FROM dial_rules WHERE id = $id RETURNING domain_id, extension_id, position;";
        delete.Parameters.AddWithValue("$id", id);
        long domainId;
        long? extensionId;
        long position;
        await using (var r = await delete.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                return false;
            }

            (domainId, extensionId, position) = (r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetInt64(2));
        }

        using var close = Command(c, tx, $"UPDATE dial_rules SET position = position - 1 WHERE {RuleOwner} AND position > $at;", domainId, extensionId);
        close.Parameters.AddWithValue("$at", position);
        await close.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction tx, string sql, long domainId, long? extensionId)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$domainId", domainId);
        cmd.Parameters.AddWithValue("$extensionId", (object?)extensionId ?? DBNull.Value);
        return cmd;
    }
}
