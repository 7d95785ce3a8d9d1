using Microsoft.Data.Sqlite;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Domains and extensions in SQLite. The hot reads (a domain, an extension by number or id, a password) run prepared
/// statements on a few long-lived connections; the writes, rare, open a connection each.
/// </summary>
public sealed class SqliteDirectoryStore : IDirectoryStore, IDirectoryVersion, IDisposable
{
    private const int SqliteConstraint = 19;
    private const string ExtensionColumns = "e.id, d.name, e.number, e.display_name, e.created_at, e.role";

    private readonly SqliteDatabase _db;
    private readonly ISecretProtector _secrets;
    private readonly TimeProvider _time;
    private readonly PreparedConnectionPool _reads;

    public SqliteDirectoryStore(SqliteDatabase db, ISecretProtector secrets, TimeProvider time)
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
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO domains (name, created_at) VALUES ($name, $at) RETURNING id;";
        cmd.Parameters.AddWithValue("$name", name.ToLowerInvariant());
        cmd.Parameters.AddWithValue("$at", UnixTime.ToMs(now));
        try
        {
            var id = (long)(await cmd.ExecuteScalarAsync(ct))!;
            return new Domain(id, name.ToLowerInvariant(), UnixTime.FromMs(UnixTime.ToMs(now)));
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
        {
            throw new DirectoryConflictException($"The domain '{name}' exists already.", ex);
        }
    }

    public async Task<IReadOnlyList<Domain>> ListDomainsAsync(CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, name, created_at FROM domains ORDER BY name;";
        var list = new List<Domain>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new Domain(r.GetInt64(0), r.GetString(1), UnixTime.FromMs(r.GetInt64(2))));
        }

        return list;
    }

    public Task<Domain?> FindDomainAsync(string name, CancellationToken ct = default) =>
        Task.FromResult(_reads.Run(name, static (c, name) =>
        {
            var cmd = c.Command("SELECT id, name, created_at FROM domains WHERE name = $name;", "$name");
            cmd.Parameters[0].Value = name;
            using var r = cmd.ExecuteReader();
            return r.Read() ? new Domain(r.GetInt64(0), r.GetString(1), UnixTime.FromMs(r.GetInt64(2))) : null;
        }));

    public async Task<Extension> CreateExtensionAsync(NewExtension extension, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(extension);
        if (!Names.IsExtensionNumber(extension.Number))
        {
            throw new ArgumentException($"'{extension.Number}' is not a valid extension number (1 to 16 digits).", nameof(extension));
        }

        var domain = await FindDomainAsync(extension.Domain, ct)
            ?? throw new DirectoryConflictException($"The domain '{extension.Domain}' does not exist.");
        var now = _time.GetUtcNow();
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO extensions (domain_id, number, display_name, web_password, sip_password, created_at)
            VALUES ($domain, $number, $name, $web, $sip, $at) RETURNING id;
            """;
        cmd.Parameters.AddWithValue("$domain", domain.Id);
        cmd.Parameters.AddWithValue("$number", extension.Number);
        cmd.Parameters.AddWithValue("$name", extension.DisplayName);
        cmd.Parameters.AddWithValue("$web", _secrets.Protect(extension.WebPassword));
        cmd.Parameters.AddWithValue("$sip", _secrets.Protect(extension.SipPassword));
        cmd.Parameters.AddWithValue("$at", UnixTime.ToMs(now));
        try
        {
            var id = (long)(await cmd.ExecuteScalarAsync(ct))!;
            return new Extension(id, domain.Name, extension.Number, extension.DisplayName, UnixTime.FromMs(UnixTime.ToMs(now)));
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
        {
            throw new DirectoryConflictException($"The extension {extension.Number}@{domain.Name} exists already.", ex);
        }
    }

    public async Task<IReadOnlyList<Extension>> ListExtensionsAsync(string? domain, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {ExtensionColumns} FROM extensions e JOIN domains d ON d.id = e.domain_id " +
            "WHERE $domain IS NULL OR d.name = $domain ORDER BY d.name, length(e.number), e.number;";
        cmd.Parameters.AddWithValue("$domain", (object?)domain ?? DBNull.Value);
        return ReadExtensions(cmd);
    }

    public Task<Extension?> FindExtensionAsync(string domain, string number, CancellationToken ct = default) =>
        Task.FromResult(_reads.Run((domain, number), static (c, key) =>
        {
            var cmd = c.Command($"SELECT {ExtensionColumns} FROM extensions e JOIN domains d ON d.id = e.domain_id " +
                "WHERE d.name = $domain AND e.number = $number;", "$domain", "$number");
            cmd.Parameters[0].Value = key.domain;
            cmd.Parameters[1].Value = key.number;
            return FirstOrNull(ReadExtensions(cmd));
        }));

    public Task<Extension?> GetExtensionAsync(long id, CancellationToken ct = default) =>
        Task.FromResult(_reads.Run(id, static (c, id) =>
        {
            var cmd = c.Command($"SELECT {ExtensionColumns} FROM extensions e JOIN domains d ON d.id = e.domain_id WHERE e.id = $id;", "$id");
            cmd.Parameters[0].Value = id;
            return FirstOrNull(ReadExtensions(cmd));
        }));

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
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE extensions SET role = $role " +
            "WHERE number = $number AND domain_id = (SELECT id FROM domains WHERE name = $domain);";
        cmd.Parameters.AddWithValue("$role", RoleText.Format(role));
        cmd.Parameters.AddWithValue("$number", number);
        cmd.Parameters.AddWithValue("$domain", domain);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    private static Extension? FirstOrNull(List<Extension> list) => list.Count > 0 ? list[0] : null;

    private static List<Extension> ReadExtensions(SqliteCommand cmd)
    {
        var list = new List<Extension>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new Extension(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), UnixTime.FromMs(r.GetInt64(4)))
            {
                Role = RoleText.Parse(r.GetString(5)),
            });
        }

        return list;
    }

    /// <param name="column">One of the two password columns; never user input.</param>
    private Task<string?> ReadSecretAsync(long extensionId, string column, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var sealedSecret = _reads.Run((extensionId, column), static (c, key) =>
        {
            var cmd = c.Command($"SELECT {key.column} FROM extensions WHERE id = $id;", "$id");
            cmd.Parameters[0].Value = key.extensionId;
            return cmd.ExecuteScalar() as byte[];
        });
        return Task.FromResult(sealedSecret is null ? null : _secrets.Unprotect(sealedSecret));
    }

    /// <summary>The directory's change counter: bumped by triggers on every change to domains or extensions, by any process.</summary>
    public ValueTask<long> ReadVersionAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_reads.Run(0, static (c, _) =>
            (long)c.Command("SELECT value FROM directory_generation WHERE id = 1;").ExecuteScalar()!));
    }

    public void Dispose() => _reads.Dispose();

    private async Task<bool> WriteSecretAsync(string domain, string number, string column, string password, CancellationToken ct)
    {
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"UPDATE extensions SET {column} = $secret " +
            "WHERE number = $number AND domain_id = (SELECT id FROM domains WHERE name = $domain);";
        cmd.Parameters.AddWithValue("$secret", _secrets.Protect(password));
        cmd.Parameters.AddWithValue("$number", number);
        cmd.Parameters.AddWithValue("$domain", domain);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }
}
