using System.Data.Common;
using System.Globalization;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;

namespace Switchboard.Storage;

/// <summary>The call policy's settings (migration 3): dial rules, permissions, limits, allow-list, number classes.</summary>
public sealed partial class SqlPolicyStore : IPolicyStore
{
    private readonly StoreDatabase _db;

    public SqlPolicyStore(StoreDatabase db) => _db = db;

    public async Task<IReadOnlySet<NumberClass>?> GetPermissionsAsync(string domain, string extension, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("SELECT p.classes FROM extension_permissions p JOIN extensions e ON e.id = p.extension_id " +
            "JOIN domains d ON d.id = e.domain_id WHERE d.name = @domain AND e.number = @number;")
            .Param("@domain", domain).Param("@number", extension);
        if (await cmd.ExecuteScalarAsync(ct) is not string text)
        {
            return null;
        }

        return NumberClasses.TryParse(text, out var classes, out var error)
            ? classes
            : throw new InvalidOperationException("A stored permission list is unreadable: " + error);
    }

    public async Task SetPermissionsAsync(string domain, string extension, IReadOnlySet<NumberClass> allowed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        await using var c = await _db.OpenAsync(ct);
        var (_, extensionId) = await OwnerAsync(c, domain, extension, ct);
        await using var cmd = c.Command("INSERT INTO extension_permissions (extension_id, classes) VALUES (@id, @classes) " +
            "ON CONFLICT (extension_id) DO UPDATE SET classes = excluded.classes;")
            .Param("@id", extensionId).Param("@classes", NumberClasses.Format(allowed));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<CallLimits?> GetLimitsAsync(string domain, string? extension, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command(extension is null
            ? "SELECT l.concurrent, l.per_minute FROM domain_limits l JOIN domains d ON d.id = l.domain_id WHERE d.name = @domain;"
            : "SELECT l.concurrent, l.per_minute FROM extension_limits l JOIN extensions e ON e.id = l.extension_id " +
              "JOIN domains d ON d.id = e.domain_id WHERE d.name = @domain AND e.number = @number;")
            .Param("@domain", domain);
        if (extension is not null)
        {
            cmd.Param("@number", extension);
        }

        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new CallLimits(NullableInt(r, 0), NullableInt(r, 1)) : null;
    }

    public async Task SetLimitsAsync(string domain, string? extension, CallLimits limits, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(limits);
        await using var c = await _db.OpenAsync(ct);
        var (domainId, extensionId) = await OwnerAsync(c, domain, extension, ct);
        await using var cmd = c.Command(extensionId is null
            ? "INSERT INTO domain_limits (domain_id, concurrent, per_minute) VALUES (@id, @concurrent, @perMinute) " +
              "ON CONFLICT (domain_id) DO UPDATE SET concurrent = excluded.concurrent, per_minute = excluded.per_minute;"
            : "INSERT INTO extension_limits (extension_id, concurrent, per_minute) VALUES (@id, @concurrent, @perMinute) " +
              "ON CONFLICT (extension_id) DO UPDATE SET concurrent = excluded.concurrent, per_minute = excluded.per_minute;")
            .Param("@id", extensionId ?? domainId).Param("@concurrent", limits.Concurrent).Param("@perMinute", limits.PerMinute);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static int? NullableInt(DbDataReader r, int column) => r.IsDBNull(column) ? null : r.GetInt32(column);

    /// <summary>The ids a write belongs to; an unknown domain or extension is the caller's mistake, said by name.</summary>
    private static async Task<(long DomainId, long? ExtensionId)> OwnerAsync(DbConnection c, string domain, string? extension, CancellationToken ct)
    {
        await using var cmd = c.Command("SELECT d.id, (SELECT e.id FROM extensions e WHERE e.domain_id = d.id AND e.number = @number) " +
            "FROM domains d WHERE d.name = @domain;").Param("@domain", domain).Param("@number", extension);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            throw new DirectoryConflictException($"There is no domain '{domain}'.");
        }

        if (extension is null)
        {
            return (r.GetInt64(0), null);
        }

        return r.IsDBNull(1)
            ? throw new DirectoryConflictException(string.Create(CultureInfo.InvariantCulture, $"There is no extension {extension}@{domain}."))
            : (r.GetInt64(0), r.GetInt64(1));
    }
}
