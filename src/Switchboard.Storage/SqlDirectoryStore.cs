using System.Data;
using System.Data.Common;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;

namespace Switchboard.Storage;

/// <summary>
/// Domains and extensions, on either engine. The hot reads (a domain, an extension by number or id, a password) run
/// prepared statements on a few long-lived connections; the writes, rare, open a connection each.
/// </summary>
public sealed class SqlDirectoryStore : IDirectoryStore, IDirectoryVersion, IAsyncDisposable
{
    private const string ExtensionColumns = "e.id, d.name, e.number, e.display_name, e.created_at, e.role";

    private readonly StoreDatabase _db;
    private readonly ISecretProtector _secrets;
    private readonly TimeProvider _time;
    private readonly PreparedConnectionPool _reads;

    public SqlDirectoryStore(StoreDatabase db, ISecretProtector secrets, TimeProvider time)
    {
        _db = db;
        _reads = new PreparedConnectionPool(db);
        _secrets = secrets;
        _time = time;
    }

    public async Task<Domain> CreateDomainAsync(string name, CancellationToken ct = default)
    {
        if (!Names.IsDomainName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid domain name.", nameof(name));
        }

        var now = _time.GetUtcNow();
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("INSERT INTO domains (name, created_at) VALUES (@name, @at) RETURNING id;")
            .Param("@name", name.ToLowerInvariant()).Param("@at", UnixTime.ToMs(now));
        try
        {
            var id = await cmd.ScalarInt64Async(ct);
            return new Domain(id, name.ToLowerInvariant(), UnixTime.FromMs(UnixTime.ToMs(now)));
        }
        catch (DbException ex) when (_db.IsUniqueViolation(ex))
        {
            throw new DirectoryConflictException($"The domain '{name}' exists already.", ex);
        }
    }

    public async Task<IReadOnlyList<Domain>> ListDomainsAsync(CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("SELECT id, name, created_at FROM domains ORDER BY name;");
        var list = new List<Domain>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new Domain(r.GetInt64(0), r.GetString(1), UnixTime.FromMs(r.GetInt64(2))));
        }

        return list;
    }

    public Task<Domain?> FindDomainAsync(string name, CancellationToken ct = default) =>
        _reads.RunAsync(name, static async (c, name, ct) =>
        {
            var cmd = await c.CommandAsync("SELECT id, name, created_at FROM domains WHERE name = @name;", ct, ("@name", DbType.String));
            cmd.Parameters[0].Value = name;
            await using var r = await cmd.ExecuteReaderAsync(ct);
            return await r.ReadAsync(ct) ? new Domain(r.GetInt64(0), r.GetString(1), UnixTime.FromMs(r.GetInt64(2))) : null;
        }, ct);

    public async Task<Extension> CreateExtensionAsync(NewExtension extension, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(extension);
        if (!Names.IsExtensionNumber(extension.Number))
        {
            throw new ArgumentException($"'{extension.Number}' is not a valid extension number (1 to 16 digits).", nameof(extension));
        }

        if (!Names.IsDisplayName(extension.DisplayName))
        {
            throw new ArgumentException($"'{extension.DisplayName}' is not a valid display name (1 to {Names.MaxDisplayNameLength} printable characters).", nameof(extension));
        }

        var domain = await FindDomainAsync(extension.Domain, ct)
            ?? throw new DirectoryConflictException($"The domain '{extension.Domain}' does not exist.");
        var now = _time.GetUtcNow();
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("""
            INSERT INTO extensions (domain_id, number, display_name, web_password, sip_password, created_at)
            VALUES (@domain, @number, @name, @web, @sip, @at) RETURNING id;
            """)
            .Param("@domain", domain.Id).Param("@number", extension.Number).Param("@name", extension.DisplayName)
            .Param("@web", _secrets.Protect(extension.WebPassword)).Param("@sip", _secrets.Protect(extension.SipPassword))
            .Param("@at", UnixTime.ToMs(now));
        try
        {
            var id = await cmd.ScalarInt64Async(ct);
            return new Extension(id, domain.Name, extension.Number, extension.DisplayName, UnixTime.FromMs(UnixTime.ToMs(now)));
        }
        catch (DbException ex) when (_db.IsUniqueViolation(ex))
        {
            throw new DirectoryConflictException($"The extension {extension.Number}@{domain.Name} exists already.", ex);
        }
    }

    public async Task<IReadOnlyList<Extension>> ListExtensionsAsync(string? domain, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command($"SELECT {ExtensionColumns} FROM extensions e JOIN domains d ON d.id = e.domain_id " +
            "WHERE @domain IS NULL OR d.name = @domain ORDER BY d.name, length(e.number), e.number;").Param("@domain", domain);
        return await ReadExtensionsAsync(cmd, ct);
    }

    public Task<Extension?> FindExtensionAsync(string domain, string number, CancellationToken ct = default) =>
        _reads.RunAsync((domain, number), static async (c, key, ct) =>
        {
            var cmd = await c.CommandAsync($"SELECT {ExtensionColumns} FROM extensions e JOIN domains d ON d.id = e.domain_id " +
                "WHERE d.name = @domain AND e.number = @number;", ct, ("@domain", DbType.String), ("@number", DbType.String));
            cmd.Parameters[0].Value = key.domain;
            cmd.Parameters[1].Value = key.number;
            return FirstOrNull(await ReadExtensionsAsync(cmd, ct));
        }, ct);

    public Task<Extension?> GetExtensionAsync(long id, CancellationToken ct = default) =>
        _reads.RunAsync(id, static async (c, id, ct) =>
        {
            var cmd = await c.CommandAsync($"SELECT {ExtensionColumns} FROM extensions e JOIN domains d ON d.id = e.domain_id WHERE e.id = @id;",
                ct, ("@id", DbType.Int64));
            cmd.Parameters[0].Value = id;
            return FirstOrNull(await ReadExtensionsAsync(cmd, ct));
        }, ct);

    public Task<string?> GetWebPasswordAsync(long extensionId, CancellationToken ct = default) =>
        ReadSecretAsync(extensionId, "web_password", ct);

    public Task<string?> GetSipPasswordAsync(long extensionId, CancellationToken ct = default) =>
        ReadSecretAsync(extensionId, "sip_password", ct);

    public Task<bool> SetWebPasswordAsync(string domain, string number, string password, CancellationToken ct = default) =>
        WriteSecretAsync(domain, number, "web_password", password, ct);

    public Task<bool> SetSipPasswordAsync(string domain, string number, string password, CancellationToken ct = default) =>
        WriteSecretAsync(domain, number, "sip_password", password, ct);

    public async Task<bool> SetRoleAsync(string domain, string number, ExtensionRole role, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("UPDATE extensions SET role = @role " +
            "WHERE number = @number AND domain_id = (SELECT id FROM domains WHERE name = @domain);")
            .Param("@role", RoleText.Format(role)).Param("@number", number).Param("@domain", domain);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<bool> RenameExtensionAsync(string domain, string number, string displayName, CancellationToken ct = default)
    {
        if (!Names.IsDisplayName(displayName))
        {
            throw new ArgumentException($"'{displayName}' is not a valid display name (1 to {Names.MaxDisplayNameLength} printable characters).", nameof(displayName));
        }

        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("UPDATE extensions SET display_name = @name " +
            "WHERE number = @number AND domain_id = (SELECT id FROM domains WHERE name = @domain);")
            .Param("@name", displayName).Param("@number", number).Param("@domain", domain);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>The schema's ON DELETE CASCADE removes the extension's sessions, registrations, permissions, limits and own dial rules.</summary>
    public async Task<bool> DeleteExtensionAsync(string domain, string number, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("DELETE FROM extensions WHERE number = @number AND domain_id = (SELECT id FROM domains WHERE name = @domain);")
            .Param("@number", number).Param("@domain", domain);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    private static Extension? FirstOrNull(List<Extension> list) => list.Count > 0 ? list[0] : null;

    private static async Task<List<Extension>> ReadExtensionsAsync(DbCommand cmd, CancellationToken ct)
    {
        var list = new List<Extension>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new Extension(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), UnixTime.FromMs(r.GetInt64(4)))
            {
                Role = RoleText.Parse(r.GetString(5)),
            });
        }

        return list;
    }

    /// <param name="column">One of the two password columns; never user input.</param>
    private async Task<string?> ReadSecretAsync(long extensionId, string column, CancellationToken ct)
    {
        var sealedSecret = await _reads.RunAsync((extensionId, column), static async (c, key, ct) =>
        {
            var cmd = await c.CommandAsync($"SELECT {key.column} FROM extensions WHERE id = @id;", ct, ("@id", DbType.Int64));
            cmd.Parameters[0].Value = key.extensionId;
            return await cmd.ExecuteScalarAsync(ct) as byte[];
        }, ct);
        return sealedSecret is null ? null : _secrets.Unprotect(sealedSecret);
    }

    /// <summary>The directory's change counter: bumped by triggers on every change to domains or extensions, by any process.</summary>
    public async ValueTask<long> ReadVersionAsync(CancellationToken ct = default) =>
        await _reads.RunAsync(0, static async (c, _, ct) =>
            await (await c.CommandAsync("SELECT value FROM directory_generation WHERE id = 1;", ct)).ScalarInt64Async(ct), ct);

    public ValueTask DisposeAsync() => _reads.DisposeAsync();

    private async Task<bool> WriteSecretAsync(string domain, string number, string column, string password, CancellationToken ct)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command($"UPDATE extensions SET {column} = @secret " +
            "WHERE number = @number AND domain_id = (SELECT id FROM domains WHERE name = @domain);")
            .Param("@secret", _secrets.Protect(password)).Param("@number", number).Param("@domain", domain);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }
}
