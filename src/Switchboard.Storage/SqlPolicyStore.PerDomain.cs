using Switchboard.Pbx.Policy;

namespace Switchboard.Storage;

/// <summary>A domain's permissions and limits at once, for the admin portal's tables, and going back to the defaults.</summary>
public sealed partial class SqlPolicyStore
{
    public async Task<IReadOnlyDictionary<string, IReadOnlySet<NumberClass>>> ListPermissionsAsync(string domain, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("SELECT e.number, p.classes FROM extension_permissions p JOIN extensions e ON e.id = p.extension_id " +
            "JOIN domains d ON d.id = e.domain_id WHERE d.name = @domain;").Param("@domain", domain);
        var all = new Dictionary<string, IReadOnlySet<NumberClass>>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            all[r.GetString(0)] = NumberClasses.TryParse(r.GetString(1), out var classes, out var error)
                ? classes
                : throw new InvalidOperationException("A stored permission list is unreadable: " + error);
        }

        return all;
    }

    public async Task<bool> ResetPermissionsAsync(string domain, string extension, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("DELETE FROM extension_permissions WHERE extension_id = (SELECT e.id FROM extensions e " +
            "JOIN domains d ON d.id = e.domain_id WHERE d.name = @domain AND e.number = @number);").Param("@domain", domain).Param("@number", extension);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task<IReadOnlyDictionary<string, CallLimits>> ListExtensionLimitsAsync(string domain, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("SELECT e.number, l.concurrent, l.per_minute FROM extension_limits l JOIN extensions e ON e.id = l.extension_id " +
            "JOIN domains d ON d.id = e.domain_id WHERE d.name = @domain;").Param("@domain", domain);
        var all = new Dictionary<string, CallLimits>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            all[r.GetString(0)] = new CallLimits(NullableInt(r, 1), NullableInt(r, 2));
        }

        return all;
    }

    public async Task<bool> ResetLimitsAsync(string domain, string? extension, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command(extension is null
            ? "DELETE FROM domain_limits WHERE domain_id = (SELECT id FROM domains WHERE name = @domain);"
            : "DELETE FROM extension_limits WHERE extension_id = (SELECT e.id FROM extensions e JOIN domains d ON d.id = e.domain_id " +
              "WHERE d.name = @domain AND e.number = @number);").Param("@domain", domain);
        if (extension is not null)
        {
            cmd.Param("@number", extension);
        }

        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }
}
