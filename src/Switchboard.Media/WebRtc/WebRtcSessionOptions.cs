using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Dtls;
using Switchboard.Media.Ice;
using Switchboard.Media.Sdp;
using Switchboard.Media.Shards;

namespace Switchboard.Media.WebRtc;

/// <summary>Our side of one session: where it is reachable, what it speaks, and the clock it starts at.</summary>
public sealed record WebRtcSessionOptions
{
    public required IPAddress AdvertisedAddress { get; init; }

    public required int Port { get; init; }

    public required DtlsCertificate Certificate { get; init; }

    /// <summary>Codecs in our order of preference (the other leg decides: G.711, or Opus when both can).</summary>
    public required IReadOnlyList<SdpCodec> CodecPreferences { get; init; }

    /// <summary>The owner's clock at creation; every later time passed in is on the same clock.</summary>
    public TimeSpan Now { get; init; }

    public IceLiteOptions Ice { get; init; } = new();

    public TimeSpan DtlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The workers that run the DTLS handshake; null for <see cref="DtlsHandshakePool.Shared"/>.</summary>
    public DtlsHandshakePool? DtlsHandshakePool { get; init; }

    /// <summary>Only the DTLS engine reads it (BouncyCastle's own timers read the wall clock regardless).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Work buffers shared with the other sessions of the owner's thread (a shard's); null: the session's own.</summary>
    public MediaScratch? Scratch { get; init; }
}
