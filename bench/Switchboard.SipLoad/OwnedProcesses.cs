namespace Switchboard.SipLoad;

/// <summary>Everything a run started (servers, SIPp callees), stopped in reverse order; one failing stop does not skip the rest.</summary>
internal sealed class OwnedProcesses : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    public T Add<T>(T process)
        where T : IAsyncDisposable
    {
        _owned.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            try
            {
                await _owned[i].DisposeAsync();
            }
            catch (InvalidOperationException e)
            {
                await Console.Error.WriteLineAsync($"Stopping a child process: {e.Message}");
            }
        }

        _owned.Clear();
    }
}
