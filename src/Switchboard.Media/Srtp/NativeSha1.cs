using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Switchboard.Media.Srtp;

/// <summary>
/// One SHA-1 block through OpenSSL's <c>SHA1_Transform</c>, which uses the CPU's SHA extensions where
/// present (.NET exposes no SHA intrinsics, and its own SHA1 cannot continue from the precomputed HMAC
/// pad states). libcrypto is on every Linux machine .NET runs on; where it is missing, or where a
/// self-check at first use disagrees with our managed compression, <see cref="Available"/> is false
/// and the managed code is used.
/// </summary>
internal static class NativeSha1
{
    private const string LibCrypto = "libcrypto.so.3";

    public static bool Available { get; } = Probe();

    public static void Compress(ref Sha1State state, ReadOnlySpan<byte> block)
    {
        var ctx = new ShaCtx { H = state };
        SHA1_Transform(ref ctx, ref MemoryMarshal.GetReference(block));
        state = ctx.H;
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad(LibCrypto, out var handle))
        {
            return false;
        }

        try
        {
            if (!NativeLibrary.TryGetExport(handle, "SHA1_Transform", out _))
            {
                return false;
            }

            // Same block, both implementations: the native one is used only if they agree.
            Span<byte> block = stackalloc byte[64];
            for (var i = 0; i < block.Length; i++)
            {
                block[i] = (byte)(i * 7 + 3);
            }

            var managed = Sha1State.Initial;
            Sha1.CompressManaged(ref managed, block);
            var native = Sha1State.Initial;
            Compress(ref native, block);
            return managed.A == native.A && managed.B == native.B && managed.C == native.C && managed.D == native.D && managed.E == native.E;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // The call is short, never blocks and calls nothing back: no GC transition needed.
    [DllImport(LibCrypto, ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    [SuppressGCTransition]
#pragma warning disable SYSLIB1054 // Blittable arguments only: nothing for a generated marshaller to do.
    private static extern void SHA1_Transform(ref ShaCtx context, ref byte block);
#pragma warning restore SYSLIB1054

    /// <summary>OpenSSL's SHA_CTX: h0-h4, Nl, Nh, data[16], num (96 bytes); only h0-h4 matter to a transform.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ShaCtx
    {
        public Sha1State H;
        public Rest Tail;
    }

    [InlineArray(19)]
    private struct Rest
    {
        private uint _word;
    }
}
