using System.Data.Common;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Trunks;
using Switchboard.Sip.Transport;

namespace Switchboard.Storage;

/// <summary>Trunks; the carrier password sealed like the extensions' (migration 5).</summary>
public sealed class SqlTrunkStore(StoreDatabase db, ISecretProtector secrets, TimeProvider time) : ITrunkStore
{
    private const string Columns = "t.id, d.name, t.name, t.proxy, t.transport, t.username, t.register, t.position, t.carrier_domain, t.from_user, t.asserted_identity, t.dids";

    public async Task<Trunk> AddAsync(Trunk trunk, string password, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        if (TrunkValidation.Check(trunk) is { } problem)
        {
            throw new ArgumentException(problem, nameof(trunk));
        }

        await using var c = await db.OpenAsync(ct);
        await using var cmd = c.Command("""
            INSERT INTO trunks (domain_id, name, proxy, transport, username, password_sealed, register, position, carrier_domain, from_user, asserted_identity, dids, created_at)
            SELECT d.id, @name, @proxy, @transport, @username, @password, @register,
                   COALESCE((SELECT MAX(position) + 1 FROM trunks WHERE domain_id = d.id), 0), @carrier, @from, @pai, @dids, @at
            FROM domains d WHERE d.name = @domain
            RETURNING id, position;
            """)
            .Param("@domain", trunk.Domain.ToLowerInvariant()).Param("@name", trunk.Name).Param("@proxy", trunk.Proxy)
            .Param("@transport", trunk.Transport.UriParameter()).Param("@username", trunk.Username).Param("@password", secrets.Protect(password))
            .Param("@register", trunk.Register ? 1 : 0).Param("@carrier", trunk.CarrierDomain).Param("@from", trunk.FromUser)
            .Param("@pai", trunk.AssertedIdentity).Param("@dids", string.Join(';', trunk.DidMap.Select(d => d.Key + "=" + d.Value)))
            .Param("@at", UnixTime.ToMs(time.GetUtcNow()));
        try
        {
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct))
            {
                throw new DirectoryConflictException($"The domain '{trunk.Domain}' does not exist.");
            }

            return trunk with { Id = r.GetInt64(0), Position = r.GetInt32(1), Domain = trunk.Domain.ToLowerInvariant() };
        }
        catch (DbException ex) when (db.IsUniqueViolation(ex))
        {
            throw new DirectoryConflictException($"The domain '{trunk.Domain}' has a trunk named '{trunk.Name}' already.", ex);
        }
    }

    public async Task<IReadOnlyList<Trunk>> ListAsync(string? domain, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = c.Command($"SELECT {Columns} FROM trunks t JOIN domains d ON d.id = t.domain_id WHERE @domain IS NULL OR d.name = @domain ORDER BY d.name, t.position;")
            .Param("@domain", domain?.ToLowerInvariant());
        var list = new List<Trunk>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var transport = SipTransportKinds.TryParse(r.GetString(4), out var kind) ? kind : SipTransportKind.Udp;
            list.Add(new Trunk(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), transport, r.GetString(5), r.GetInt32(6) != 0,
                r.GetInt32(7), r.NullableString(8), r.NullableString(9), r.NullableString(10), ParseDids(r.GetString(11))));
        }

        return list;
    }

    public async Task<bool> RemoveAsync(string domain, string name, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = c.Command("DELETE FROM trunks WHERE name = @name AND domain_id = (SELECT id FROM domains WHERE name = @domain);")
            .Param("@domain", domain.ToLowerInvariant()).Param("@name", name);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task<string?> GetPasswordAsync(long trunkId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = c.Command("SELECT password_sealed FROM trunks WHERE id = @id;").Param("@id", trunkId);
        return await cmd.ExecuteScalarAsync(ct) is byte[] sealedSecret ? secrets.Unprotect(sealedSecret) : null;
    }

    private static Dictionary<string, string> ParseDids(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
