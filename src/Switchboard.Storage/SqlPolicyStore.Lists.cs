using Switchboard.Pbx.Policy;

namespace Switchboard.Storage;

public sealed partial class SqlPolicyStore
{
    public async Task<IReadOnlyList<DialPattern>> ListAllowListAsync(string domain, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("SELECT a.pattern FROM click_to_call_allow a JOIN domains d ON d.id = a.domain_id " +
            "WHERE d.name = @domain ORDER BY a.pattern;").Param("@domain", domain);
        var list = new List<DialPattern>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(DialPattern.Parse(r.GetString(0)));
        }

        return list;
    }

    public async Task<bool> AddAllowListAsync(string domain, DialPattern pattern, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        await using var c = await _db.OpenAsync(ct);
        var (domainId, _) = await OwnerAsync(c, domain, null, ct);
        await using var cmd = c.Command("INSERT INTO click_to_call_allow (domain_id, pattern) VALUES (@id, @pattern) ON CONFLICT DO NOTHING;")
            .Param("@id", domainId).Param("@pattern", pattern.Text);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task<bool> RemoveAllowListAsync(string domain, string pattern, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("DELETE FROM click_to_call_allow WHERE pattern = @pattern AND domain_id = (SELECT id FROM domains WHERE name = @domain);")
            .Param("@domain", domain).Param("@pattern", pattern);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task<NumberPlan> GetNumberPlanAsync(string domain, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("SELECT p.class, p.pattern FROM number_class_patterns p JOIN domains d ON d.id = p.domain_id " +
            "WHERE d.name = @domain ORDER BY p.class, p.position;").Param("@domain", domain);
        var own = new Dictionary<NumberClass, List<DialPattern>>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                if (!NumberClasses.TryParseOne(r.GetString(0), out var numberClass))
                {
                    throw new InvalidOperationException("A stored number class is unknown: " + r.GetString(0));
                }

                (own.TryGetValue(numberClass, out var list) ? list : own[numberClass] = []).Add(DialPattern.Parse(r.GetString(1)));
            }
        }

        return own.Aggregate(NumberPlan.Default, (plan, entry) => plan.With(entry.Key, entry.Value));
    }

    public async Task SetNumberClassPatternsAsync(string domain, NumberClass numberClass, IReadOnlyList<DialPattern> patterns, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        if (!NumberPlan.Configurable.Contains(numberClass))
        {
            throw new ArgumentOutOfRangeException(nameof(numberClass), numberClass, "not a configurable class");
        }

        await using var c = await _db.OpenAsync(ct);
        var (domainId, _) = await OwnerAsync(c, domain, null, ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using (var clear = c.Command("DELETE FROM number_class_patterns WHERE domain_id = @id AND class = @class;", tx)
            .Param("@id", domainId).Param("@class", NumberClasses.Name(numberClass)))
        {
            await clear.ExecuteNonQueryAsync(ct);
        }

        for (var i = 0; i < patterns.Count; i++)
        {
            await using var insert = c.Command("INSERT INTO number_class_patterns (domain_id, class, position, pattern) VALUES (@id, @class, @position, @pattern);", tx)
                .Param("@id", domainId).Param("@class", NumberClasses.Name(numberClass)).Param("@position", i + 1).Param("@pattern", patterns[i].Text);
            await insert.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }
}
