using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Switchboard.Pbx.Security;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Storage.Tests.Sqlite;

/// <summary>A real SQLite file in a fresh temporary folder, removed afterwards.</summary>
internal sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Folder = Directory.CreateTempSubdirectory("sb-storage-").FullName;
        Database = new SqliteDatabase(Path.Combine(Folder, "test.db"));
        Secrets = new AesGcmSecretProtector(RandomNumberGenerator.GetBytes(32));
    }

    public string Folder { get; }

    public SqliteDatabase Database { get; }

    public AesGcmSecretProtector Secrets { get; }

    public void Dispose()
    {
        Secrets.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}
