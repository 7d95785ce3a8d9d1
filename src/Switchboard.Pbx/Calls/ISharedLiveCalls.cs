namespace Switchboard.Pbx.Calls;

/// <summary>
/// The calls up on every node of a cluster (docs/scale-out.md, "Live calls across nodes"): each node shares a picture of
/// its own calls, refreshed every second and expiring soon after, so a node that died drops out of the list by itself;
/// and an administrator's hang-up on one node reaches the node that holds the call.
/// </summary>
public interface ISharedLiveCalls
{
    /// <summary>This node's name among the nodes (random per start).</summary>
    string Node { get; }

    /// <summary>Replaces this node's shared picture with <paramref name="calls"/>, kept for <paramref name="lifetime"/>. Never throws.</summary>
    void Publish(IReadOnlyList<LiveCall> calls, TimeSpan lifetime);

    /// <summary>The calls the other nodes share now.</summary>
    Task<IReadOnlyList<NodeLiveCall>> LoadOthersAsync(CancellationToken ct = default);

    /// <summary>Asks <paramref name="node"/> to end <paramref name="callId"/> as an administrator's hang-up. Never throws.</summary>
    void RequestHangUp(string node, string callId);

    /// <summary>Calls <paramref name="onRequest"/> with the call id each time another node asks this one to end a call; disposing stops it.</summary>
    IDisposable SubscribeHangUps(Action<string> onRequest);
}

/// <summary>A call up on another node, as that node last shared it.</summary>
public sealed record NodeLiveCall(string Node, LiveCall Call);
