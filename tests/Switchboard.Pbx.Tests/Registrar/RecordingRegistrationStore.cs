using Switchboard.Pbx.Registrar;

namespace Switchboard.Pbx.Tests.Registrar;

/// <summary>A registration store that keeps, in order, every change the registrar hands it.</summary>
internal sealed class RecordingRegistrationStore : IRegistrationStore
{
    public List<(long ExtensionId, IReadOnlyList<ContactBinding> Bindings)> Saved { get; } = [];

    public void Save(long extensionId, IReadOnlyList<ContactBinding> udpBindings) => Saved.Add((extensionId, udpBindings));

    public Task<IReadOnlyList<ContactBinding>> LoadAsync(DateTimeOffset now, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<ContactBinding>>([.. Saved.GroupBy(s => s.ExtensionId).SelectMany(g => g.Last().Bindings).Where(b => b.ExpiresAt > now)]);
}
