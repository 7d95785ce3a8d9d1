namespace Switchboard.Pbx.Queues;

/// <summary>Call queues and their members (migration 15). The server reads them at start and again whenever <see cref="ReadGenerationAsync"/> moves (docs/queues.md).</summary>
public interface IQueueStore
{
    /// <summary>Stores a new queue with its members; a missing domain or extension, or a taken name, is a <see cref="Directory.DirectoryConflictException"/>.</summary>
    Task<QueueDefinition> AddAsync(QueueDefinition queue, CancellationToken ct = default);

    /// <summary>Every queue (of <paramref name="domain"/> when given), its members in the order they were added.</summary>
    Task<IReadOnlyList<QueueDefinition>> ListAsync(string? domain, CancellationToken ct = default);

    Task<bool> RemoveAsync(string domain, string name, CancellationToken ct = default);

    /// <summary>Adds the extension <paramref name="number"/> last; a missing queue or extension, or a member already, is a <see cref="Directory.DirectoryConflictException"/>.</summary>
    Task AddMemberAsync(string domain, string queue, string number, CancellationToken ct = default);

    Task<bool> RemoveMemberAsync(string domain, string queue, string number, CancellationToken ct = default);

    /// <summary>The queues' change counter: bumped by triggers on every change to queues or members, by any process (migration 17).</summary>
    Task<long> ReadGenerationAsync(CancellationToken ct = default);
}
