using Switchboard.Media.Stun;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// The STUN decoder (RFC 8489 section 5) with the ICE agent's checks: a refusal is a
/// <see cref="StunParseStatus"/> other than Ok; an accepted message has its MESSAGE-INTEGRITY checked
/// with RFC 5769's short-term password (section 14.5), its FINGERPRINT (section 14.7), and every
/// attribute read the way the ICE-lite agent reads them.
/// </summary>
public sealed class StunTarget : IFuzzTarget
{
    public const string TargetName = "stun";

    private static readonly byte[] Password = "VOkJxbRl1RmTxUk/WvJxBt"u8.ToArray();

    public string Name => TargetName;

    public void Run(ReadOnlySpan<byte> input)
    {
        if (StunMessage.TryParse(input, out var message) != StunParseStatus.Ok)
        {
            return;
        }

        _ = message.Method;
        _ = message.Class;
        _ = message.TransactionId;
        using var key = new StunIntegrityKey(Password);
        if (message.CheckMessageIntegrity(Password) != message.CheckMessageIntegrity(key))
        {
            throw new FuzzInvariantException("the prepared key and the raw key disagree on MESSAGE-INTEGRITY");
        }

        _ = message.CheckFingerprint();
        _ = message.TryGetUsername(out _);
        _ = message.TryGetPriority(out _);
        _ = message.TryGetIceControlling(out _);
        _ = message.TryGetIceControlled(out _);
        _ = message.TryGetXorMappedAddress(out _);
        _ = message.TryGetErrorCode(out _, out _);
        Span<ushort> unknown = stackalloc ushort[8];
        _ = message.CopyUnknownComprehensionRequired(unknown);
        foreach (var attribute in message.Attributes)
        {
            _ = message.TryGetAttribute(attribute.Type, out _);
        }
    }
}
