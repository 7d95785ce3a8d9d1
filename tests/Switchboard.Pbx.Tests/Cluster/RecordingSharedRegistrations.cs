using Switchboard.Pbx.Registrar;

namespace Switchboard.Pbx.Tests.Cluster;

/// <summary>Keeps, in order, what the registrar shares with the other nodes (the Redis side is tested against a real Redis in Storage.Tests).</summary>
internal sealed class RecordingSharedRegistrations : ISharedRegistrations
{
    public List<(long ExtensionId, IReadOnlyList<ContactBinding> Bindings)> Published { get; } = [];

    public void Publish(long extensionId, IReadOnlyList<ContactBinding> udpBindings) => Published.Add((extensionId, udpBindings));

    public Task<IReadOnlyList<NodeBindings>> LoadAsync(DateTimeOffset now, CancellationToken ct = default) => Task.FromResult<IReadOnlyList<NodeBindings>>([]);

    public IDisposable Subscribe(Action<NodeBindings> onChange) => new Nothing();

    private sealed class Nothing : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
