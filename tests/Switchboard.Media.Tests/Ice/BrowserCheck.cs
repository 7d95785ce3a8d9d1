using System.Security.Cryptography;
using System.Text;
using Switchboard.Media.Stun;

namespace Switchboard.Media.Tests.Ice;

/// <summary>
/// Builds connectivity checks the way Chromium sends them to an ICE-lite answerer: USERNAME,
/// GOOG-NETWORK-INFO (0xC057, comprehension-optional), ICE-CONTROLLING, optionally USE-CANDIDATE,
/// PRIORITY, MESSAGE-INTEGRITY with the answerer's password, FINGERPRINT.
/// </summary>
internal sealed record BrowserCheck
{
    public required string Username { get; init; }

    public required string Password { get; init; }

    public bool UseCandidate { get; init; }

    public bool Controlled { get; init; }

    public bool WithPriority { get; init; } = true;

    public bool WithIntegrity { get; init; } = true;

    public bool WithFingerprint { get; init; } = true;

    public bool WithUsername { get; init; } = true;

    public ushort ExtraAttribute { get; init; }

    public byte[] TransactionId { get; init; } = RandomNumberGenerator.GetBytes(12);

    public static BrowserCheck For(string localUfrag, string localPassword, string remoteUfrag) =>
        new() { Username = $"{localUfrag}:{remoteUfrag}", Password = localPassword };

    public byte[] Build()
    {
        byte[] buffer = new byte[256];
        var writer = new StunWriter(buffer, StunConstants.BindingRequest, TransactionId);
        if (WithUsername)
        {
            writer.AddUsername(Encoding.ASCII.GetBytes(Username));
        }

        writer.AddAttribute(0xC057, [0x00, 0x01, 0x00, 0x0A]);
        if (Controlled)
        {
            writer.AddIceControlled(0x1122334455667788);
        }
        else
        {
            writer.AddIceControlling(0x1122334455667788);
        }

        if (UseCandidate)
        {
            writer.AddUseCandidate();
        }

        if (WithPriority)
        {
            writer.AddPriority(1_853_824_767);
        }

        if (ExtraAttribute != 0)
        {
            writer.AddAttribute(ExtraAttribute, [9, 9, 9, 9]);
        }

        if (WithIntegrity)
        {
            writer.AddMessageIntegrity(Encoding.ASCII.GetBytes(Password));
        }

        if (WithFingerprint)
        {
            writer.AddFingerprint();
        }

        return writer.Written.ToArray();
    }
}
