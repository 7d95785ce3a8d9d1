using System.Collections.Concurrent;
using System.Net;
using Switchboard.Pbx.Directory;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Registrar;

/// <summary>
/// SIP WebSocket connections that the web layer opened for a logged-in extension (phone.htm, docs/phone.md): the
/// upgrade was authorised by a ticket or the session cookie, so requests on that connection are that extension's
/// without SIP digest (a remembered session has no password to hash, and WebCrypto has no MD5). A bound connection
/// speaks only for its extension: a REGISTER for another To, or a request from another From, is refused.
/// Keyed by transport and the client's address and port, which name one TCP connection while it is open. Thread-safe.
/// </summary>
public sealed class SipFlowBindings
{
    private readonly ConcurrentDictionary<(SipTransportKind Kind, IPEndPoint Remote), Extension> _bound = new();

    public int Count => _bound.Count;

    /// <summary>Binds the WebSocket connection from <paramref name="remote"/> to <paramref name="extension"/> until the result is disposed.</summary>
    public IDisposable Bind(bool secure, IPEndPoint remote, Extension extension)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(extension);
        var key = (secure ? SipTransportKind.Wss : SipTransportKind.Ws, remote);
        _bound[key] = extension;
        return new Binding(this, key);
    }

    /// <summary>The extension the connection <paramref name="flow"/> came on is bound to, if it is a bound WebSocket.</summary>
    public Extension? Of(SipFlow flow) =>
        flow.Transport is SipTransportKind.Ws or SipTransportKind.Wss && _bound.TryGetValue((flow.Transport, flow.Remote), out var extension)
            ? extension
            : null;

    private sealed class Binding(SipFlowBindings owner, (SipTransportKind, IPEndPoint) key) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner._bound.TryRemove(key, out _);
            }
        }
    }
}
