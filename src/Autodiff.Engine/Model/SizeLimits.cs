using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// The generated C counts elements and bytes in <c>uint32_t</c> and computes offsets in
/// <c>int</c>-sized arithmetic on 32-bit targets, so every tensor's byte size over the whole
/// batch must stay below 2^31. Checking here means no later stage can overflow silently.
/// </summary>
public static class SizeLimits
{
    /// <summary>Exclusive bound on a tensor's byte count (float32 elements × 4, whole batch).</summary>
    public const long MaxTensorBytes = 1L << 31;

    public const int BytesPerElement = 4;

    /// <summary>
    /// Checks batch × Π dims × 4 &lt; 2^31 dimension by dimension, reporting AD1020 at the first
    /// dimension whose running product crosses the bound. Dimensions ≤ 0 (an inferred -1) are skipped.
    /// </summary>
    public static bool Check(IReadOnlyList<int> dims, IReadOnlyList<SourceLocation> locations, int batch, string what, DiagnosticBag diags)
    {
        long bytes = (long)batch * BytesPerElement;
        for (var i = 0; i < dims.Count; i++)
        {
            if (dims[i] <= 0) continue;
            bytes *= dims[i];
            if (bytes < MaxTensorBytes) continue;
            diags.Error(ModelDiagnosticCodes.SizeOverflow,
                $"{what} [{string.Join(", ", dims)}] with batch {batch} needs at least {bytes} bytes at this dimension; " +
                $"tensors are limited to {MaxTensorBytes - 1} bytes (32-bit sizes)", locations[i]);
            return false;
        }
        return true;
    }
}
