namespace Switchboard.Storage.Tests.Engines;

/// <summary>
/// A store test class, written once and run on each engine by two small subclasses (one per <see cref="TestEngine"/>).
/// Every test gets its own empty database: xunit makes a new instance per test.
/// </summary>
public abstract class StoreTests(TestEngine engine) : IAsyncLifetime
{
    private TempDatabase? _temp;

    protected TestEngine Engine { get; } = engine;

    private protected TempDatabase Temp => _temp ?? throw new InvalidOperationException("The database is made in InitializeAsync.");

    public virtual async Task InitializeAsync() => _temp = await TempDatabase.CreateAsync(Engine);

    public virtual async Task DisposeAsync()
    {
        if (_temp is not null)
        {
            await _temp.DisposeAsync();
        }
    }
}
