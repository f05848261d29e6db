namespace Autodiff.Engine.Ops;

/// <summary>
/// Writes a strided walk as C loops with constant bounds and strides, for the ops that only move
/// or add values between layouts (transpose, broadcast, sum to a shape). Everything about the walk
/// is known at build time, so the generated loops do no index bookkeeping at run time.
/// </summary>
internal static class StridedLoops
{
    /// <summary>
    /// Emits a row-major walk over <paramref name="dims"/> (coalesced first). The statement
    /// <paramref name="body"/> receives <c>k</c>, the walk's position (0, 1, 2, ...), and per stride
    /// set the C expression of its offset at that position.
    /// </summary>
    public static void Emit(IKernelCallWriter c, int[] dims, int[][] strides, Func<string, string[], string> body)
    {
        var (walk, walkStrides) = Broadcasting.Coalesce(dims, strides);
        c.Line("{");
        c.Line("size_t k = 0;");
        for (var d = 0; d < walk.Length; d++) c.Line($"for (uint32_t i{d} = 0; i{d} < {walk[d]}u; ++i{d}) {{");
        var offsets = walkStrides.Select(s => Offset(s)).ToArray();
        c.Line(body("k", offsets));
        c.Line("++k;");
        for (var d = 0; d < walk.Length; d++) c.Line("}");
        c.Line("(void)k;");
        c.Line("}");
    }

    private static string Offset(int[] strides)
    {
        var terms = strides.Select((s, d) => (s, d)).Where(t => t.s != 0)
            .Select(t => t.s == 1 ? $"i{t.d}" : $"(size_t)i{t.d} * {t.s}u").ToArray();
        return terms.Length == 0 ? "0" : string.Join(" + ", terms);
    }
}
