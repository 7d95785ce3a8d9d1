namespace Switchboard.Server.Tests;

/// <summary>A fresh data folder for a server that a test starts (and maybe starts again), removed afterwards.</summary>
internal sealed class TempDataFolder : IDisposable
{
    public TempDataFolder(string prefix) => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    public void Dispose()
    {
        // Pooled connections keep the database file open.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}
