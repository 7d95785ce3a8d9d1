using Switchboard.Pbx.Security;
using Switchboard.Storage;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Server.Hosting;

/// <summary>
/// The PBX's data folder: <c>switchboard.db</c> (SQLite), <c>secrets.key</c> (the key that seals
/// passwords in the database) and <c>tls/</c> (the self-signed certificate).
/// </summary>
public sealed class DataFolder : IDisposable
{
    private DataFolder(string path, SqliteDatabase database, AesGcmSecretProtector secrets)
    {
        Path = path;
        Database = database;
        Secrets = secrets;
    }

    public string Path { get; }

    public SqliteDatabase Database { get; }

    public AesGcmSecretProtector Secrets { get; }

    public static async Task<DataFolder> OpenAsync(string path, CancellationToken ct = default)
    {
        var full = System.IO.Path.GetFullPath(path);
        System.IO.Directory.CreateDirectory(full);
        var key = KeyFile.LoadOrCreate(System.IO.Path.Combine(full, "secrets.key"), AesGcmSecretProtector.KeySize);
        var database = new SqliteDatabase(System.IO.Path.Combine(full, "switchboard.db"));
        await database.MigrateAsync(ct);
        return new DataFolder(full, database, new AesGcmSecretProtector(key));
    }

    public SqliteDirectoryStore Directory(TimeProvider time) => new(Database, Secrets, time);

    public SqlitePolicyStore Policy() => new(Database);

    public void Dispose() => Secrets.Dispose();
}
