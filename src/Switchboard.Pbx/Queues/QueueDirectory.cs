namespace Switchboard.Pbx.Queues;

/// <summary>
/// The queues read at start, by domain and name or number: immutable, so the dial plan reads it from any thread while
/// the queue loop owns the queues' live state (<see cref="QueueCore"/>).
/// </summary>
public sealed class QueueDirectory
{
    private readonly Dictionary<(string Domain, string Name), QueueDefinition> _byName = [];
    private readonly Dictionary<(string Domain, string Number), QueueDefinition> _byNumber = [];

    public QueueDirectory(IEnumerable<QueueDefinition> queues)
    {
        ArgumentNullException.ThrowIfNull(queues);
        foreach (var queue in queues)
        {
            var domain = queue.Domain.ToLowerInvariant();
            _byName[(domain, queue.Name)] = queue;
            if (queue.Number is { } number)
            {
                _byNumber[(domain, number)] = queue;
            }
        }
    }

    public static QueueDirectory Empty { get; } = new([]);

    public IReadOnlyCollection<QueueDefinition> All => _byName.Values;

    public QueueDefinition? Find(string domain, string name) => _byName.GetValueOrDefault((domain.ToLowerInvariant(), name));

    public QueueDefinition? FindByNumber(string domain, string number) => _byNumber.GetValueOrDefault((domain.ToLowerInvariant(), number));
}
