using Switchboard.Pbx.Security;
using Switchboard.Storage;
using Switchboard.Storage.Postgres;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Server.Hosting;

/// <summary>
/// The PBX's data folder: <c>switchboard.db</c> (SQLite, unless a PostgreSQL store is given), <c>secrets.key</c> (the key
/// that seals passwords in the database; every node sharing a PostgreSQL store needs the same one) and <c>tls/</c>
/// (the self-signed certificate).
/// </summary>
public sealed class DataFolder : IDisposable
{
    private DataFolder(string path, StoreDatabase database, AesGcmSecretProtector secrets, byte[] csrfKey, byte[] hopKey)
    {
        CsrfKey = csrfKey;
        HopKey = hopKey;
        Path = path;
        Database = database;
        Secrets = secrets;
    }

    public string Path { get; }

    public StoreDatabase Database { get; }

    public AesGcmSecretProtector Secrets { get; }

    /// <summary>
    /// The key of the portal's CSRF tokens, derived from <c>secrets.key</c> (RFC 5869 HKDF) so that every node sharing the
    /// key accepts the same token, and no CSRF token tells anything about the key that seals the passwords.
    /// </summary>
    public byte[] CsrfKey { get; }

    /// <summary>
    /// The key that proves a request crossing the hop between nodes was made by a node (docs/security.md, "The hop between
    /// nodes"), derived from <c>secrets.key</c> like <see cref="CsrfKey"/>, with its own label.
    /// </summary>
    public byte[] HopKey { get; }

    /// <param name="store">A PostgreSQL connection string, or null for the SQLite file in the folder.</param>
    public static async Task<DataFolder> OpenAsync(string path, string? store = null, CancellationToken ct = default)
    {
        var full = System.IO.Path.GetFullPath(path);
        System.IO.Directory.CreateDirectory(full);
        var key = KeyFile.LoadOrCreate(System.IO.Path.Combine(full, "secrets.key"), AesGcmSecretProtector.KeySize);
        StoreDatabase database = string.IsNullOrWhiteSpace(store)
            ? new SqliteDatabase(System.IO.Path.Combine(full, "switchboard.db"))
            : new PostgresDatabase(store);
        try
        {
            await database.MigrateAsync(ct);
        }
        catch
        {
            database.Dispose();
            throw;
        }

        var csrfKey = System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256, key, 32,
            info: System.Text.Encoding.ASCII.GetBytes("switchboard admin csrf"));
        var hopKey = System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256, key, 32,
            info: System.Text.Encoding.ASCII.GetBytes("switchboard node hop"));
        return new DataFolder(full, database, new AesGcmSecretProtector(key), csrfKey, hopKey);
    }

    public SqlDirectoryStore Directory(TimeProvider time) => new(Database, Secrets, time);

    public SqlPolicyStore Policy() => new(Database);

    public void Dispose()
    {
        Secrets.Dispose();
        Database.Dispose();
    }
}
