namespace Switchboard.Storage.Tests.Engines;

/// <summary>The database engines every store test runs against.</summary>
public enum TestEngine
{
    Sqlite,
    Postgres,
}
