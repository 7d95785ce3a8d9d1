namespace Switchboard.Pbx.Queues;

/// <summary>A call waiting in a queue, as the queue loop reaches it: the action is posted to the call's own loop, never run on the queue's.</summary>
public interface IQueuedCall
{
    void OnQueueAction(QueueAction action);
}
