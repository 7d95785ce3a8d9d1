using System.Data.Common;
using Switchboard.Pbx.Policy;

namespace Switchboard.Storage;

public sealed partial class SqlPolicyStore
{
    private const string RuleOwner = "domain_id = @domainId AND extension_id IS NOT DISTINCT FROM @extensionId";

    public async Task<DialRuleEntry> AddDialRuleAsync(string domain, string? extension, int? position, DialRule rule, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfLessThan(position ?? 1, 1, nameof(position));
        await using var c = await _db.OpenAsync(ct);
        var (domainId, extensionId) = await OwnerAsync(c, domain, extension, ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using var count = Command(c, tx, $"SELECT COUNT(*) FROM dial_rules WHERE {RuleOwner};", domainId, extensionId);
        var existing = (int)await count.ScalarInt64Async(ct);
        var at = Math.Min(position ?? existing + 1, existing + 1);

        await using var shift = Command(c, tx, $"UPDATE dial_rules SET position = position + 1 WHERE {RuleOwner} AND position >= @at;", domainId, extensionId)
            .Param("@at", at);
        await shift.ExecuteNonQueryAsync(ct);

        await using var insert = Command(c, tx, "INSERT INTO dial_rules (domain_id, extension_id, position, pattern, trunk, strip, prefix) " +
            "VALUES (@domainId, @extensionId, @at, @pattern, @trunk, @strip, @prefix) RETURNING id;", domainId, extensionId)
            .Param("@at", at).Param("@pattern", rule.Pattern.Text).Param("@trunk", rule.Trunk).Param("@strip", rule.Strip).Param("@prefix", rule.Prefix);
        var id = await insert.ScalarInt64Async(ct);
        await tx.CommitAsync(ct);
        return new DialRuleEntry(id, domain, extension, at, rule);
    }

    public async Task<IReadOnlyList<DialRuleEntry>> ListDialRulesAsync(string domain, string? extension, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("SELECT r.id, r.position, r.pattern, r.trunk, r.strip, r.prefix FROM dial_rules r " +
            "JOIN domains d ON d.id = r.domain_id LEFT JOIN extensions e ON e.id = r.extension_id " +
            "WHERE d.name = @domain AND e.number IS NOT DISTINCT FROM @number ORDER BY r.position;")
            .Param("@domain", domain).Param("@number", extension);
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
        await using var tx = await c.BeginTransactionAsync(ct);
        long domainId;
        long? extensionId;
        int position;
        await using (var delete = c.Command("DELETE FROM dial_rules WHERE id = @id RETURNING domain_id, extension_id, position;", tx).Param("@id", id))
        await using (var r = await delete.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                return false;
            }

            (domainId, extensionId, position) = (r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetInt32(2));
        }

        await using var close = Command(c, tx, $"UPDATE dial_rules SET position = position - 1 WHERE {RuleOwner} AND position > @at;", domainId, extensionId)
            .Param("@at", position);
        await close.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<DialRuleEntry?> FindDialRuleAsync(long id, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        return await FindDialRuleAsync(c, null, id, ct);
    }

    public async Task<DialRuleEntry?> ChangeDialRuleAsync(long id, DialRule rule, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        await using var c = await _db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using (var update = c.Command("UPDATE dial_rules SET pattern = @pattern, trunk = @trunk, strip = @strip, prefix = @prefix WHERE id = @id;", tx)
            .Param("@id", id).Param("@pattern", rule.Pattern.Text).Param("@trunk", rule.Trunk).Param("@strip", rule.Strip).Param("@prefix", rule.Prefix))
        {
            if (await update.ExecuteNonQueryAsync(ct) == 0)
            {
                return null;
            }
        }

        var changed = await FindDialRuleAsync(c, tx, id, ct);
        await tx.CommitAsync(ct);
        return changed;
    }

    private static async Task<DialRuleEntry?> FindDialRuleAsync(DbConnection c, DbTransaction? tx, long id, CancellationToken ct)
    {
        await using var cmd = c.Command("SELECT d.name, e.number, r.position, r.pattern, r.trunk, r.strip, r.prefix FROM dial_rules r " +
            "JOIN domains d ON d.id = r.domain_id LEFT JOIN extensions e ON e.id = r.extension_id WHERE r.id = @id;", tx).Param("@id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            return null;
        }

        var rule = new DialRule(DialPattern.Parse(r.GetString(3)), r.GetString(4), r.GetInt32(5), r.GetString(6));
        return new DialRuleEntry(id, r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt32(2), rule);
    }

    private static DbCommand Command(DbConnection c, DbTransaction tx, string sql, long domainId, long? extensionId) =>
        c.Command(sql, tx).Param("@domainId", domainId).Param("@extensionId", extensionId);
}
