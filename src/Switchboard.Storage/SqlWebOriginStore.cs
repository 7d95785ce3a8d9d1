using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Tokens;

namespace Switchboard.Storage;

/// <summary>The origins allowed to embed each domain's calls (docs/widget.md), stored in their normalized form.</summary>
public sealed class SqlWebOriginStore : IWebOriginStore
{
    private readonly StoreDatabase _db;

    public SqlWebOriginStore(StoreDatabase db) => _db = db;

    public async Task<bool> AddOriginAsync(string domain, string origin, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var find = c.Command("SELECT id FROM domains WHERE name = @domain;").Param("@domain", domain);
        if (await find.ExecuteScalarAsync(ct) is not { } id || id is DBNull)
        {
            throw new DirectoryConflictException($"There is no domain '{domain}'.");
        }

        await using var cmd = c.Command("INSERT INTO domain_origins (domain_id, origin) VALUES (@id, @origin) ON CONFLICT DO NOTHING;")
            .Param("@id", Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture)).Param("@origin", origin);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task<bool> RemoveOriginAsync(string domain, string origin, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("DELETE FROM domain_origins WHERE origin = @origin AND domain_id = (SELECT id FROM domains WHERE name = @domain);")
            .Param("@domain", domain).Param("@origin", origin);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task<IReadOnlyList<string>> ListOriginsAsync(string domain, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("SELECT o.origin FROM domain_origins o JOIN domains d ON d.id = o.domain_id WHERE d.name = @domain ORDER BY o.origin;")
            .Param("@domain", domain);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(r.GetString(0));
        }

        return list;
    }
}
