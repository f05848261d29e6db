namespace Autodiff.Engine.Ops;

/// <summary>
/// Where a convolution's window lies on its input, for the reference loops of conv2d, depthwise_conv2d
/// and their int8 form: output position (oh, ow) reads input row oh·stride_h + kh − pad_top and
/// column ow·stride_w + kw − pad_left through tap (kh, kw), and a tap that falls outside the input
/// reads nothing (zero padding). The loops walk this three ways (<see cref="TapsOf"/>,
/// <see cref="OutputsThrough"/>, <see cref="TapsReading"/>); each walk yields only the steps inside
/// both tensors, rows outer and columns inner, in the order nested loops that skip the outside
/// steps would take, so every sum adds the same terms in the same order.
/// </summary>
internal readonly record struct ConvWindow(WindowAxis Rows, WindowAxis Columns)
{
    /// <summary>The taps of output (oh, ow) that read inside the input, kh then kw ascending: the forward sum.</summary>
    public WindowWalk TapsOf(int oh, int ow) => new(Rows.TapsOf(oh), Columns.TapsOf(ow));

    /// <summary>The outputs whose tap (kh, kw) reads inside the input, oh then ow ascending: a weight's gradient.</summary>
    public WindowWalk OutputsThrough(int kh, int kw) => new(Rows.OutputsThrough(kh), Columns.OutputsThrough(kw));

    /// <summary>The taps that read input (ih, iw), with the output each belongs to, kh then kw ascending: an input's gradient.</summary>
    public WindowWalk TapsReading(int ih, int iw) => new(Rows.TapsReading(ih), Columns.TapsReading(iw));
}

/// <summary>One step of a <see cref="WindowWalk"/>: output (Oh, Ow) reads input (Ih, Iw) through tap (Kh, Kw).</summary>
internal readonly record struct WindowStep(int Oh, int Ow, int Kh, int Kw, int Ih, int Iw);

/// <summary>
/// The window along one axis: output o reads input i = o·Stride + k − PadBefore through tap k.
/// Each walk fixes one of o, k, i and lets the other two run; the steps inside both tensors form an
/// arithmetic run, computed here once instead of testing every candidate. (All divisions below have
/// non-negative operands, so C#'s truncation is the floor the bounds need.)
/// </summary>
internal readonly record struct WindowAxis(int In, int Out, int Kernel, int Stride, int PadBefore)
{
    /// <summary>Taps k of output o with 0 ≤ i &lt; In, k ascending.</summary>
    public AxisRun TapsOf(int o)
    {
        var start = o * Stride - PadBefore; // the input position of tap 0
        var first = Math.Max(0, -start);
        var end = Math.Min(Kernel, In - start);
        return new AxisRun(Math.Max(0, end - first), o, 0, first, 1, start + first, 1);
    }

    /// <summary>Outputs o whose tap k reads 0 ≤ i &lt; In, o ascending.</summary>
    public AxisRun OutputsThrough(int k)
    {
        var before = PadBefore - k; // outputs below ceil(before / Stride) read above the input
        var first = before > 0 ? (before + Stride - 1) / Stride : 0;
        var beyond = In + PadBefore - k; // outputs from ceil(beyond / Stride) on read below it
        var end = Math.Min(Out, beyond > 0 ? (beyond + Stride - 1) / Stride : 0);
        return new AxisRun(Math.Max(0, end - first), first, 1, k, 0, first * Stride + k - PadBefore, Stride);
    }

    /// <summary>Taps k that read input i, with their outputs o, k ascending (so o descending).</summary>
    public AxisRun TapsReading(int i)
    {
        var reach = i + PadBefore; // = o·Stride + k
        var lastOut = Math.Min(Out - 1, reach / Stride); // k ≥ 0
        var lowest = reach - Kernel + 1; // k < Kernel: o·Stride ≥ lowest
        var firstOut = lowest > 0 ? (lowest + Stride - 1) / Stride : 0;
        return new AxisRun(Math.Max(0, lastOut - firstOut + 1), lastOut, -1, reach - lastOut * Stride, Stride, i, 0);
    }
}

/// <summary>Count steps along one axis: step n is output O + n·OStep, tap K + n·KStep, input I + n·IStep.</summary>
internal readonly record struct AxisRun(int Count, int O, int OStep, int K, int KStep, int I, int IStep);

/// <summary>The steps of two axis runs, rows outer and columns inner; enumerates without allocating.</summary>
internal readonly struct WindowWalk(AxisRun rows, AxisRun columns)
{
    public Enumerator GetEnumerator() => new(rows, columns);

    public ref struct Enumerator(AxisRun rows, AxisRun columns)
    {
        private int row, column = -1;

        public bool MoveNext()
        {
            if (++column < columns.Count) return row < rows.Count;
            column = 0;
            return columns.Count > 0 && ++row < rows.Count;
        }

        public readonly WindowStep Current => new(
            rows.O + row * rows.OStep, columns.O + column * columns.OStep,
            rows.K + row * rows.KStep, columns.K + column * columns.KStep,
            rows.I + row * rows.IStep, columns.I + column * columns.IStep);
    }
}
