namespace Switchboard.Pbx.Queues;

/// <summary>
/// The queues' decisions without IO (docs/queues.md), str0m's shape like the call core: the queue loop feeds it what
/// happened (a caller joined or left, an offer was missed or answered, an agent logged in or out, the clock), then
/// drains <see cref="TryTakeAction"/> and wakes it again at <see cref="NextWakeUp"/>. Time is an input (the loop's own
/// clock); nothing here reads one, touches a call or blocks, and one loop owns it, so it needs no lock.
/// Callers wait in the order they joined; an agent is offered the first waiting caller of its queue whose members it
/// is among when it is idle: logged in, in no call (a queue call, one it placed or one it answered), not ringing for a
/// queue caller, past its wrap-up and past the pause after an offer it missed. An agent belongs to the domain, so being
/// busy in one queue makes it busy in all.
/// </summary>
public sealed class QueueCore
{
    /// <summary>An agent who let an offer ring out is not offered again this soon, so that the next agent gets the caller.</summary>
    public static readonly TimeSpan MissedPause = TimeSpan.FromSeconds(5);

    /// <summary>The expected wait assumes calls this long until a queue has handled some.</summary>
    public static readonly TimeSpan DefaultHandleTime = TimeSpan.FromMinutes(2);

    private const int HandleTimeSamples = 10;

    private readonly Dictionary<(string Domain, string Name), QueueState> _queues = [];
    private readonly Dictionary<(string Domain, string Number), Agent> _agents = [];
    private readonly Dictionary<string, Waiter> _waiters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Agent Agent, QueueState Queue, TimeSpan AnsweredAt)> _bridged = new(StringComparer.Ordinal);
    private readonly Queue<QueueAction> _actions = new();

    /// <summary>Every member of <paramref name="queues"/> starts logged in and idle since <paramref name="now"/>.</summary>
    public QueueCore(IEnumerable<QueueDefinition> queues, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(queues);
        foreach (var queue in queues)
        {
            var state = new QueueState(queue);
            _queues[Key(queue)] = state;
            AddMembers(state, now);
        }
    }

    /// <summary>
    /// The stored queues changed (docs/queues.md, "Configuration"): a queue still there keeps its waiting callers, their
    /// places and maximum waits, and takes the new settings and members; a new member starts logged in and idle, a member
    /// of other queues keeps its state (logged out stays out); a queue that is gone sends its waiting callers to its
    /// fallback (one ringing an agent of it rings on, and falls back if nobody answers). Calls talking to an agent are not
    /// touched.
    /// </summary>
    public void Reload(IEnumerable<QueueDefinition> queues, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var fresh = new Dictionary<(string Domain, string Name), QueueDefinition>();
        foreach (var queue in queues)
        {
            fresh[Key(queue)] = queue;
        }

        foreach (var (key, state) in _queues.ToList())
        {
            if (!fresh.ContainsKey(key))
            {
                state.Removed = true;
                foreach (var waiter in state.Waiting.Where(w => w.Offered.Count == 0).ToList())
                {
                    FallBack(waiter);
                }

                _queues.Remove(key);
            }
        }

        foreach (var (key, queue) in fresh)
        {
            if (!_queues.TryGetValue(key, out var state))
            {
                _queues[key] = state = new QueueState(queue);
            }

            state.Definition = queue;
            state.Members.Clear();
            AddMembers(state, now);
            state.NextTurn = state.Members.Count == 0 ? 0 : state.NextTurn % state.Members.Count;
        }

        // An extension in no queue any more is no agent: *45 and *46 then say so. One still talking keeps its object in _bridged.
        var members = _queues.Values.SelectMany(q => q.Members).ToHashSet();
        foreach (var (key, agent) in _agents.ToList())
        {
            if (!members.Contains(agent))
            {
                _agents.Remove(key);
            }
        }

        Dispatch(now);
    }

    private void AddMembers(QueueState state, TimeSpan now)
    {
        var domain = state.Definition.Domain.ToLowerInvariant();
        foreach (var number in state.Definition.Members)
        {
            if (!_agents.TryGetValue((domain, number), out var agent))
            {
                agent = new Agent(number) { IdleSince = now };
                _agents[(domain, number)] = agent;
            }

            state.Members.Add(agent);
        }
    }

    private static (string Domain, string Name) Key(QueueDefinition queue) => (queue.Domain.ToLowerInvariant(), queue.Name);

    /// <summary>When <see cref="Tick"/> should next run: a maximum wait, an announcement, a wrap-up or pause ending; null when nothing waits on the clock.</summary>
    public TimeSpan? NextWakeUp
    {
        get
        {
            TimeSpan? next = null;
            void Consider(TimeSpan at)
            {
                if (next is null || at < next)
                {
                    next = at;
                }
            }

            foreach (var waiter in _waiters.Values)
            {
                if (waiter.Offered.Count == 0)
                {
                    Consider(waiter.Deadline);
                    Consider(waiter.NextAnnounce);
                }
            }

            foreach (var queue in _queues.Values)
            {
                if (queue.Waiting.Count == 0)
                {
                    continue;
                }

                foreach (var agent in queue.Members)
                {
                    if (agent.IsAvailable)
                    {
                        Consider(Max(agent.WrapUpUntil, agent.PausedUntil));
                    }
                }
            }

            return next;
        }
    }

    /// <summary>The caller's place in its queue (1 is next), or 0 when it is not waiting.</summary>
    public int PlaceOf(string callId) => _waiters.TryGetValue(callId, out var w) ? w.Queue.Waiting.IndexOf(w) + 1 : 0;

    /// <summary>Whether the agent is logged in (false for an extension that is in no queue).</summary>
    public bool IsLoggedIn(string domain, string number) => _agents.TryGetValue((domain.ToLowerInvariant(), number), out var a) && a.LoggedIn;

    public bool TryTakeAction(out QueueAction action) => _actions.TryDequeue(out action!);

    /// <summary>The call starts waiting, last in the queue; false when the domain has no such queue.</summary>
    public bool Join(string callId, string domain, string queueName, TimeSpan now)
    {
        if (!_queues.TryGetValue((domain.ToLowerInvariant(), queueName), out var queue) || _waiters.ContainsKey(callId))
        {
            return false;
        }

        var waiter = new Waiter(callId, queue, now);
        queue.Waiting.Add(waiter);
        _waiters[callId] = waiter;
        _actions.Enqueue(new QueueAction.Position(callId, queue.Waiting.Count));
        Dispatch(now);

        // Told its place at once unless an agent is ringing for it already; then every AnnounceEvery.
        if (waiter.Offered.Count == 0)
        {
            Announce(waiter);
        }

        return true;
    }

    /// <summary>
    /// The call is over for the queue: its caller hung up while waiting or ringing an agent (the agents are free again),
    /// or the answered call ended (the agent's wrap-up starts now).
    /// </summary>
    public void Leave(string callId, TimeSpan now)
    {
        if (_waiters.TryGetValue(callId, out var waiter))
        {
            ReleaseOffer(waiter, now, missed: false);
            Remove(waiter);
        }
        else if (_bridged.Remove(callId, out var bridged))
        {
            var agent = bridged.Agent;
            agent.BusyWith = null;
            agent.WrapUpUntil = now + bridged.Queue.Definition.WrapUp;
            agent.IdleSince = agent.WrapUpUntil;
            bridged.Queue.AddHandleTime(now - bridged.AnsweredAt + bridged.Queue.Definition.WrapUp);
        }

        Dispatch(now);
    }

    /// <summary>Nobody offered the caller answered in time (or each refused): it waits on, and those agents pause.</summary>
    public void Missed(string callId, TimeSpan now)
    {
        if (!_waiters.TryGetValue(callId, out var waiter) || waiter.Offered.Count == 0)
        {
            return;
        }

        ReleaseOffer(waiter, now, missed: true);
        if (now >= waiter.Deadline || waiter.Queue.Removed)
        {
            FallBack(waiter);
        }

        Dispatch(now);
    }

    /// <summary>The agent <paramref name="number"/> answered the caller: it leaves the queue, and the agent is busy until <see cref="Leave"/>.</summary>
    public void Answered(string callId, string number, TimeSpan now)
    {
        if (!_waiters.TryGetValue(callId, out var waiter))
        {
            return;
        }

        var agent = waiter.Offered.FirstOrDefault(a => a.Number == number);
        ReleaseOffer(waiter, now, missed: false);
        Remove(waiter);
        if (agent is not null)
        {
            agent.BusyWith = callId;
            _bridged[callId] = (agent, waiter.Queue, now);
        }

        Dispatch(now);
    }

    /// <summary>The extension logs in to every queue it is a member of (<c>*45</c>); false when it is a member of none.</summary>
    public bool LogIn(string domain, string number, TimeSpan now)
    {
        if (!_agents.TryGetValue((domain.ToLowerInvariant(), number), out var agent))
        {
            return false;
        }

        if (!agent.LoggedIn)
        {
            agent.LoggedIn = true;
            agent.IdleSince = now;
        }

        Dispatch(now);
        return true;
    }

    /// <summary>
    /// The extension logs out of every queue it is a member of (<c>*46</c>): it is offered no new caller; a caller ringing
    /// it now, or talking to it, is not taken away. False when it is a member of none.
    /// </summary>
    public bool LogOut(string domain, string number)
    {
        if (!_agents.TryGetValue((domain.ToLowerInvariant(), number), out var agent))
        {
            return false;
        }

        agent.LoggedIn = false;
        return true;
    }

    /// <summary>
    /// The extension became a party to a call (it placed one, answered one, or took a queue caller): an agent is offered
    /// nobody until it is in no call again, as Asterisk's <c>ringinuse=no</c> (its phones would answer 486, or ring over
    /// the call it is in). Calls of extensions in no queue are not tracked.
    /// </summary>
    public void EnterCall(string domain, string number)
    {
        if (_agents.TryGetValue((domain.ToLowerInvariant(), number), out var agent))
        {
            agent.Calls++;
        }
    }

    /// <summary>
    /// The extension is no longer a party to one of its calls; in none now, it is free from <paramref name="now"/> (or from the
    /// end of a queue call's wrap-up, whichever is later), which longest-idle counts from.
    /// </summary>
    public void LeaveCall(string domain, string number, TimeSpan now)
    {
        if (!_agents.TryGetValue((domain.ToLowerInvariant(), number), out var agent) || agent.Calls == 0)
        {
            // A member added by a reload while it was in a call was never counted in it.
            return;
        }

        if (--agent.Calls == 0)
        {
            agent.IdleSince = Max(agent.IdleSince, now);
            Dispatch(now);
        }
    }

    /// <summary>What the clock made due: maximum waits (fallback), announcements, agents idle again after wrap-up or a pause.</summary>
    public void Tick(TimeSpan now)
    {
        foreach (var waiter in _waiters.Values.Where(w => w.Offered.Count == 0).OrderBy(w => w.JoinedAt).ToList())
        {
            if (now >= waiter.Deadline)
            {
                FallBack(waiter);
            }
            else if (now >= waiter.NextAnnounce)
            {
                Announce(waiter);
                waiter.NextAnnounce = now + waiter.Queue.Definition.AnnounceEvery;
            }
        }

        Dispatch(now);
    }

    /// <summary>Offers the first waiting callers of each queue to its idle agents, as its strategy picks them.</summary>
    private void Dispatch(TimeSpan now)
    {
        foreach (var queue in _queues.Values)
        {
            foreach (var waiter in queue.Waiting)
            {
                if (waiter.Offered.Count > 0)
                {
                    continue;
                }

                var picked = Pick(queue, now);
                if (picked.Count == 0)
                {
                    // Nobody idle for this caller, so nobody for those behind it either.
                    break;
                }

                foreach (var agent in picked)
                {
                    agent.RingingFor = waiter.CallId;
                    waiter.Offered.Add(agent);
                }

                _actions.Enqueue(new QueueAction.Offer(waiter.CallId, [.. picked.Select(a => a.Number)], queue.Definition.RingTimeout));
            }
        }
    }

    private static List<Agent> Pick(QueueState queue, TimeSpan now)
    {
        var members = queue.Members;
        switch (queue.Definition.Strategy)
        {
            case QueueStrategy.RingAll:
                return [.. members.Where(a => a.IsIdle(now))];
            case QueueStrategy.RoundRobin:
                for (var i = 0; i < members.Count; i++)
                {
                    var index = (queue.NextTurn + i) % members.Count;
                    if (members[index].IsIdle(now))
                    {
                        queue.NextTurn = (index + 1) % members.Count;
                        return [members[index]];
                    }
                }

                return [];
            default:
                // The member idle the longest; on a tie, the first in the members' order (MinBy keeps the first).
                return members.Where(a => a.IsIdle(now)).MinBy(a => a.IdleSince) is { } longest ? [longest] : [];
        }
    }

    /// <summary>The agents offered the caller stop ringing for it; after a miss each pauses for <see cref="MissedPause"/>.</summary>
    private static void ReleaseOffer(Waiter waiter, TimeSpan now, bool missed)
    {
        foreach (var agent in waiter.Offered)
        {
            if (agent.RingingFor == waiter.CallId)
            {
                agent.RingingFor = null;
                if (missed)
                {
                    agent.PausedUntil = now + MissedPause;
                }
            }
        }

        waiter.Offered.Clear();
    }

    private void FallBack(Waiter waiter)
    {
        _actions.Enqueue(new QueueAction.Fallback(waiter.CallId, waiter.Queue.Definition.Fallback));
        Remove(waiter);
    }

    /// <summary>The caller leaves its queue; those behind it move up and are told their new place.</summary>
    private void Remove(Waiter waiter)
    {
        var waiting = waiter.Queue.Waiting;
        var index = waiting.IndexOf(waiter);
        waiting.RemoveAt(index);
        _waiters.Remove(waiter.CallId);
        for (var i = index; i < waiting.Count; i++)
        {
            _actions.Enqueue(new QueueAction.Position(waiting[i].CallId, i + 1));
        }
    }

    private void Announce(Waiter waiter)
    {
        var queue = waiter.Queue;
        var place = queue.Waiting.IndexOf(waiter) + 1;
        var agents = Math.Max(1, queue.Members.Count(a => a.LoggedIn));
        var expected = TimeSpan.FromTicks(queue.HandleTime.Ticks * place / agents);
        _actions.Enqueue(new QueueAction.Announce(waiter.CallId, place, expected, queue.Definition.Language));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed class QueueState(QueueDefinition definition)
    {
        private readonly Queue<TimeSpan> _handleTimes = new();

        public QueueDefinition Definition { get; set; } = definition;

        /// <summary>The queue was taken out of the configuration: its callers still ringing an agent fall back if it is missed.</summary>
        public bool Removed { get; set; }

        public List<Agent> Members { get; } = [];

        public List<Waiter> Waiting { get; } = [];

        /// <summary>Round-robin: where the next turn starts in <see cref="Members"/>.</summary>
        public int NextTurn { get; set; }

        /// <summary>The mean of the last calls' talk plus wrap-up, the base of the expected wait.</summary>
        public TimeSpan HandleTime => _handleTimes.Count == 0 ? DefaultHandleTime : TimeSpan.FromTicks((long)_handleTimes.Average(t => t.Ticks));

        public void AddHandleTime(TimeSpan time)
        {
            _handleTimes.Enqueue(time);
            if (_handleTimes.Count > HandleTimeSamples)
            {
                _handleTimes.Dequeue();
            }
        }
    }

    private sealed class Waiter(string callId, QueueState queue, TimeSpan joinedAt)
    {
        public string CallId { get; } = callId;

        public QueueState Queue { get; } = queue;

        public TimeSpan JoinedAt { get; } = joinedAt;

        public TimeSpan Deadline { get; } = joinedAt + queue.Definition.MaxWait;

        public TimeSpan NextAnnounce { get; set; } = joinedAt + queue.Definition.AnnounceEvery;

        /// <summary>The agents ringing for this caller now (empty while it only waits).</summary>
        public List<Agent> Offered { get; } = [];
    }

    private sealed class Agent(string number)
    {
        public string Number { get; } = number;

        public bool LoggedIn { get; set; } = true;

        /// <summary>The queue call it is in, answered and not yet ended.</summary>
        public string? BusyWith { get; set; }

        /// <summary>The caller it is being offered (its phones ring).</summary>
        public string? RingingFor { get; set; }

        public TimeSpan WrapUpUntil { get; set; }

        public TimeSpan PausedUntil { get; set; }

        /// <summary>Since when it has been free: longest-idle picks the earliest.</summary>
        public TimeSpan IdleSince { get; set; }

        /// <summary>The calls it is a party to now (<see cref="EnterCall"/>), a queue call it answered among them.</summary>
        public int Calls { get; set; }

        /// <summary>Logged in and in no call or offer: idle once its wrap-up and pause are over.</summary>
        public bool IsAvailable => LoggedIn && BusyWith is null && RingingFor is null && Calls == 0;

        public bool IsIdle(TimeSpan now) => IsAvailable && now >= WrapUpUntil && now >= PausedUntil;
    }
}
