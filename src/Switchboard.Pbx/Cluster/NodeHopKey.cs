using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Pbx.Cluster;

/// <summary>
/// The proof that a request or response crossing the hop between two nodes (docs/scale-out.md, "Calls across nodes")
/// was made by a node: an HMAC-SHA256 (RFC 2104) under a key every node derives from the <c>secrets.key</c> they share,
/// cut to 96 bits (RFC 2104 section 5 allows truncation to at least half the output). Three kinds, so that a value
/// made for one use is worth nothing for another: the first INVITE's Route names its Call-ID and Request-URI, the
/// Record-Route the hop adds names the Call-ID, the phone's connection and the calling node (in-dialog requests carry
/// other Request-URIs, and the calling node's Contact may be a name the SIP loop cannot resolve), and the hop's own
/// Via branch names the branch it was made from (so only the hop's real responses are relayed back).
/// </summary>
public sealed class NodeHopKey
{
    /// <summary>The URI parameter that marks a hop's Route and Record-Route entries; its value is the proof.</summary>
    public const string Parameter = "sbhop";

    /// <summary>The Record-Route parameter naming the phone's connection on the holding node (covered by the proof).</summary>
    public const string ConnectionParameter = "sbconn";

    /// <summary>The Record-Route parameter naming the calling node's SIP address, host:port (covered by the proof).</summary>
    public const string NodeParameter = "sbnode";

    /// <summary>What the hop's own Via branches start with (after RFC 3261's magic cookie, section 8.1.1.7).</summary>
    public const string BranchPrefix = "z9hG4bKsbhop.";

    private readonly byte[] _key;

    public NodeHopKey(ReadOnlySpan<byte> key)
    {
        if (key.Length < 16)
        {
            throw new ArgumentException("A hop key needs at least 128 bits.", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>The Route a node shares for a phone it holds over a connection; the caller's node fills in the proof.</summary>
    public static string UnsignedRoute(string sentBy) => $"<sip:{sentBy};lr;{Parameter}>";

    /// <summary>
    /// The shared hop Route with its proof for one request (the rest, as given): a node calling through another's hop
    /// proves it holds the key for this Call-ID and Request-URI. CANCEL and a non-2xx ACK copy the INVITE's Route, so
    /// they carry the same proof.
    /// </summary>
    public string SignRoute(string route, string callId, string requestUri)
    {
        ArgumentNullException.ThrowIfNull(route);
        const string bare = ";" + Parameter + ">";
        return route.EndsWith(bare, StringComparison.Ordinal)
            ? string.Concat(route.AsSpan(0, route.Length - 1), "=", ForRequest(callId, requestUri), ">")
            : route;
    }

    public string ForRequest(string callId, string requestUri) => "i" + Mac('i', callId, requestUri);

    /// <summary>
    /// The Record-Route's proof: this Call-ID, through the phone's connection <paramref name="connectionId"/>, for the
    /// calling node at <paramref name="node"/> (host:port), the only place the phone's requests of the call may go.
    /// </summary>
    public string ForDialog(string callId, long connectionId, string node) =>
        "d" + Mac('d', callId, string.Concat(connectionId.ToString(CultureInfo.InvariantCulture), "\n", node));

    /// <summary>The hop's Via branch for a request that came with <paramref name="incomingBranch"/> on connection <paramref name="connectionId"/> (0: UDP).</summary>
    public string Branch(string incomingBranch, long connectionId)
    {
        var connection = connectionId.ToString(CultureInfo.InvariantCulture);
        return BranchPrefix + Mac('b', incomingBranch, connection) + "." + connection;
    }

    /// <summary>Constant-time comparison (docs/security.md): how long it takes tells nothing of how much matched.</summary>
    public static bool Same(string expected, string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given));

    private string Mac(char kind, string a, string b)
    {
        var text = Encoding.UTF8.GetBytes(string.Concat(kind.ToString(), "\n", a, "\n", b));
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, text, mac);
        return Convert.ToHexStringLower(mac[..12]);
    }
}
