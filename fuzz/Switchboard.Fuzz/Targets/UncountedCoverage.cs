using System.Runtime.InteropServices;
using SharpFuzz.Common;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// Runs harness bookkeeping with SharpFuzz's edge counters pointed at a scratch map, so that AFL sees only
/// the coverage of the input itself. The dtls target re-makes an association after an input that ended it:
/// that replayed handshake runs partly on a pool worker, interleaved with this thread (SharpFuzz keeps one
/// process-wide previous-location), so its edges came out different on every run. Counted, they made every
/// input that ends the association look new again (stability fell to 6 %), filled the queue with such
/// inputs and so made most executions pay a handshake. The input's own path to the end of the association
/// (the alert or record that ended it, the close) is counted as before; only the replay is not.
/// </summary>
internal static unsafe class UncountedCoverage
{
    /// <summary>SharpFuzz's map is AFL's default 64 KiB; the scratch map is twice that, for safety.</summary>
    private const int ScratchSize = 1 << 17;

    private static readonly byte* Scratch = (byte*)NativeMemory.AllocZeroed(ScratchSize);

    public static T Run<T>(Func<T> action)
    {
        byte* real = Trace.SharedMem;
        int previous = Trace.PrevLocation;
        Trace.SharedMem = Scratch;
        try
        {
            return action();
        }
        finally
        {
            Trace.SharedMem = real;
            Trace.PrevLocation = previous;
        }
    }
}
