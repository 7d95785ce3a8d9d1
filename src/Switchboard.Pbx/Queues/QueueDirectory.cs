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

    /// <summary>
    /// Whether the extension is a member of some queue of its domain: only those calls are reported to the queue loop
    /// (<see cref="QueueService.EnterCall"/>), so a PBX without queues makes no hop per call for them.
    /// </summary>
    public bool IsMember(string domain, string number) => _current.Members.Contains((domain, number));

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

                foreach (var member in queue.Members)
                {
                    Members.Add((domain, member));
                }
            }
        }

        public Dictionary<(string Domain, string Name), QueueDefinition> ByName { get; } = [];

        public Dictionary<(string Domain, string Number), QueueDefinition> ByNumber { get; } = [];

        /// <summary>Every member as (domain, number); the domain compared without case, so a look-up allocates nothing.</summary>
        public HashSet<(string Domain, string Number)> Members { get; } = new(MemberComparer.Instance);
    }

    private sealed class MemberComparer : IEqualityComparer<(string Domain, string Number)>
    {
        public static readonly MemberComparer Instance = new();

        public bool Equals((string Domain, string Number) x, (string Domain, string Number) y) =>
            string.Equals(x.Domain, y.Domain, StringComparison.OrdinalIgnoreCase) && string.Equals(x.Number, y.Number, StringComparison.Ordinal);

        public int GetHashCode((string Domain, string Number) obj) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Domain), StringComparer.Ordinal.GetHashCode(obj.Number));
    }
}
