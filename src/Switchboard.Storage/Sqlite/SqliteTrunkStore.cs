using Microsoft.Data.Sqlite;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Trunks;
using Switchboard.Sip.Transport;

namespace Switchboard.Storage.Sqlite;

/// <summary>Trunks in SQLite; the carrier password sealed like the extensions' (migration 5).</summary>
public sealed class SqliteTrunkStore(SqliteDatabase db, ISecretProtector secrets, TimeProvider time) : ITrunkStore
{
    private const int SqliteConstraint = 19;
    private const string Columns = "t.id, d.name, t.name, t.proxy, t.transport, t.username, t.register, t.position, t.carrier_domain, t.from_user, t.asserted_identity, t.dids";

    public async Task<Trunk> AddAsync(Trunk trunk, string password, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        if (TrunkValidation.Check(trunk) is { } problem)
        {
            throw new ArgumentException(problem, nameof(trunk));
        }

        await using var c = await db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO trunks (domain_id, name, proxy, transport, username, password_sealed, register, position, carrier_domain, from_user, asserted_identity, dids, created_at)
            SELECT d.id, $name, $proxy, $transport, $username, $password, $register,
                   COALESCE((SELECT MAX(position) + 1 FROM trunks WHERE domain_id = d.id), 0), $carrier, $from, $pai, $dids, $at
            FROM domains d WHERE d.name = $domain
            RETURNING id, position;
            """;
        cmd.Parameters.AddWithValue("$domain", trunk.Domain.ToLowerInvariant());
        cmd.Parameters.AddWithValue("$name", trunk.Name);
        cmd.Parameters.AddWithValue("$proxy", trunk.Proxy);
        cmd.Parameters.AddWithValue("$transport", trunk.Transport.UriParameter());
        cmd.Parameters.AddWithValue("$username", trunk.Username);
        cmd.Parameters.AddWithValue("$password", secrets.Protect(password));
        cmd.Parameters.AddWithValue("$register", trunk.Register ? 1 : 0);
        cmd.Parameters.AddWithValue("$carrier", (object?)trunk.CarrierDomain ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$from", (object?)trunk.FromUser ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$pai", (object?)trunk.AssertedIdentity ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$dids", string.Join(';', trunk.DidMap.Select(d => d.Key + "=" + d.Value)));
        cmd.Parameters.AddWithValue("$at", UnixTime.ToMs(time.GetUtcNow()));
        try
        {
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct))
            {
                throw new DirectoryConflictException($"The domain '{trunk.Domain}' does not exist.");
            }

            return trunk with { Id = r.GetInt64(0), Position = (int)r.GetInt64(1), Domain = trunk.Domain.ToLowerInvariant() };
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
        {
            throw new DirectoryConflictException($"The domain '{trunk.Domain}' has a trunk named '{trunk.Name}' already.", ex);
        }
    }

    public async Task<IReadOnlyList<Trunk>> ListAsync(string? domain, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM trunks t JOIN domains d ON d.id = t.domain_id WHERE $domain IS NULL OR d.name = $domain ORDER BY d.name, t.position;";
        cmd.Parameters.AddWithValue("$domain", (object?)domain?.ToLowerInvariant() ?? DBNull.Value);
        var list = new List<Trunk>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var transport = SipTransportKinds.TryParse(r.GetString(4), out var kind) ? kind : SipTransportKind.Udp;
            list.Add(new Trunk(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), transport, r.GetString(5), r.GetInt64(6) != 0,
                (int)r.GetInt64(7), NullableString(r, 8), NullableString(r, 9), NullableString(r, 10), ParseDids(r.GetString(11))));
        }

        return list;
    }

    public async Task<bool> RemoveAsync(string domain, string name, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM trunks WHERE name = $name AND domain_id = (SELECT id FROM domains WHERE name = $domain);";
        cmd.Parameters.AddWithValue("$domain", domain.ToLowerInvariant());
        cmd.Parameters.AddWithValue("$name", name);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task<string?> GetPasswordAsync(long trunkId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT password_sealed FROM trunks WHERE id = $id;";
        cmd.Parameters.AddWithValue("$id", trunkId);
        return await cmd.ExecuteScalarAsync(ct) is byte[] sealedSecret ? secrets.Unprotect(sealedSecret) : null;
    }

    private static string? NullableString(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static Dictionary<string, string> ParseDids(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
