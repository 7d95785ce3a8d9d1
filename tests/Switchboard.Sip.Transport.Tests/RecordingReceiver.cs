using System.Text;
using System.Threading.Channels;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transport.Tests;

/// <summary>Records what a transport delivers; every wait is bounded.</summary>
internal sealed class RecordingReceiver : ISipReceiver
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly Channel<(SipFlow Flow, string Text)> _messages = Channel.CreateUnbounded<(SipFlow, string)>();
    private readonly Channel<SipFlow> _closed = Channel.CreateUnbounded<SipFlow>();

    /// <summary>Called on the delivering thread, like a real endpoint replying at once.</summary>
    public Action<SipFlow, string>? OnMessage { get; set; }

    public void OnReceived(in SipFlow flow, ReadOnlySpan<byte> message)
    {
        var text = Encoding.UTF8.GetString(message);
        _messages.Writer.TryWrite((flow, text));
        OnMessage?.Invoke(flow, text);
    }

    public void OnFlowClosed(in SipFlow flow) => _closed.Writer.TryWrite(flow);

    public async Task<(SipFlow Flow, string Text)> NextAsync() => await _messages.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    public async Task<SipFlow> NextClosedAsync() => await _closed.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    public bool TryTake(out (SipFlow Flow, string Text) message) => _messages.Reader.TryRead(out message);

    public int Pending => _messages.Reader.Count;
}
