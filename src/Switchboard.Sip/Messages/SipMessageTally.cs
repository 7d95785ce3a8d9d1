namespace Switchboard.Sip.Messages;

/// <summary>
/// SIP messages counted by request method and by response class (1xx to 6xx, RFC 3261 section 21), for metrics. One
/// slot per well-known method (an extension method counts as <see cref="OtherMethod"/>) and per class, in arrays of
/// longs: counting is an increment, with no lock and no allocation, so the endpoint's loop may count every message.
/// Any thread may read.
/// </summary>
public sealed class SipMessageTally
{
    /// <summary>The label of requests whose method is not one of the well-known ones.</summary>
    public const string OtherMethod = "other";

    private readonly long[] _requests = new long[SipMethod.KnownCount + 1];

    /// <summary>Index 1 to 6 for 1xx to 6xx; 0 is unused (a parsed response's status is always 100 to 699).</summary>
    private readonly long[] _responses = new long[7];

    public void Count(SipMessage message)
    {
        switch (message)
        {
            case SipRequest request:
                Interlocked.Increment(ref _requests[request.Method.Slot]);
                break;
            case SipResponse response when response.StatusCode is >= 100 and < 700:
                Interlocked.Increment(ref _responses[response.StatusCode / 100]);
                break;
        }
    }

    /// <summary>Requests counted per well-known method, then <see cref="OtherMethod"/>.</summary>
    public IEnumerable<(string Method, long Count)> Requests
    {
        get
        {
            for (var i = 0; i < _requests.Length; i++)
            {
                yield return (i < SipMethod.KnownCount ? SipMethod.WellKnown[i].Name : OtherMethod, Interlocked.Read(ref _requests[i]));
            }
        }
    }

    /// <summary>Responses counted per class, "1xx" to "6xx".</summary>
    public IEnumerable<(string Class, long Count)> Responses
    {
        get
        {
            for (var i = 1; i < _responses.Length; i++)
            {
                yield return (ClassNames[i - 1], Interlocked.Read(ref _responses[i]));
            }
        }
    }

    public long RequestsOf(SipMethod method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return Interlocked.Read(ref _requests[method.Slot]);
    }

    /// <param name="statusClass">1 to 6.</param>
    public long ResponsesOf(int statusClass) => Interlocked.Read(ref _responses[statusClass]);

    private static readonly string[] ClassNames = ["1xx", "2xx", "3xx", "4xx", "5xx", "6xx"];
}
