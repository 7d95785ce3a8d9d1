namespace Switchboard.Pbx.Queues;

/// <summary>
/// The queues the server runs, by domain and name or number. Each set of queues is an immutable snapshot, replaced whole
/// when the stored queues change (<see cref="Replace"/>, docs/queues.md "Configuration"), so the dial plan reads it from
/// any thread while the queue loop owns the queues' live state (<see cref="QueueCore"/>).
/// </summary>
public sealed class QueueDirectory
{
    private volatile Snapshot _current;

    public QueueDirectory(IEnumerable<QueueDefinition> queues)
    {
        _current = new Snapshot(queues);
    }

    /// <summary>A directory with no queues (a fresh one each time: it may be replaced).</summary>
    public static QueueDirectory Empty => new([]);

    public IReadOnlyCollection<QueueDefinition> All => _current.ByName.Values;

    public QueueDefinition? Find(string domain, string name) => _current.ByName.GetValueOrDefault((domain.ToLowerInvariant(), name));

    public QueueDefinition? FindByNumber(string domain, string number) => _current.ByNumber.GetValueOrDefault((domain.ToLowerInvariant(), number));

    /// <summary>From now on, look-ups see <paramref name="queues"/>; a look-up under way finishes on the set it started with.</summary>
    public void Replace(IEnumerable<QueueDefinition> queues) => _current = new Snapshot(queues);

    private sealed class Snapshot
    {
        public Snapshot(IEnumerable<QueueDefinition> queues)
        {
            ArgumentNullException.ThrowIfNull(queues);
            foreach (var queue in queues)
            {
                var domain = queue.Domain.ToLowerInvariant();
                ByName[(domain, queue.Name)] = queue;
                if (queue.Number is { } number)
                {
                    ByNumber[(domain, number)] = queue;
                }
            }
        }

        public Dictionary<(string Domain, string Name), QueueDefinition> ByName { get; } = [];

        public Dictionary<(string Domain, string Number), QueueDefinition> ByNumber { get; } = [];
    }
}
