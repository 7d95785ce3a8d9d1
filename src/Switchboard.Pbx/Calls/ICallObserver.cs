namespace Switchboard.Pbx.Calls;

/// <summary>
/// The calling leg's view of the call (for the popup: the WebSocket). The call's owner invokes these
/// one at a time, in order; an implementation must not block.
/// </summary>
public interface ICallObserver
{
    ValueTask OnTryingAsync(string callId);

    ValueTask OnRingingAsync();

    ValueTask OnAnswerSdpAsync(string sdp);

    ValueTask OnConnectedAsync();

    ValueTask OnEndedAsync(CallEndReason reason);

    /// <summary>The caller's place in a queue changed (1 is next; docs/queues.md). A phone has no way to show it: nothing by default.</summary>
    ValueTask OnQueuePositionAsync(int place) => ValueTask.CompletedTask;
}
