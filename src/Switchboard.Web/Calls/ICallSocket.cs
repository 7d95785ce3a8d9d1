using Switchboard.Pbx.Calls;

namespace Switchboard.Web.Calls;

/// <summary>What a <see cref="CallAttachment"/> needs of the socket that holds its call (the real one is <see cref="CallSocketConnection"/>).</summary>
internal interface ICallSocket
{
    /// <summary>Queues one JSON message for the page.</summary>
    ValueTask PostAsync(object message);

    /// <summary>Sends <c>ended</c> with the reason, then closes.</summary>
    ValueTask EndAsync(CallEndReason reason);

    /// <summary>Another socket resumed the call: this one stops without hanging up.</summary>
    void Abandon();
}
