using System.Numerics;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// sum / mean / max over a set of axes, optionally keeping them as extent-1 axes. Axes are axes of
// the full tensor, batch included (the model language's per-sample axes go through
// ReductionAxes.FromPerSample); no axes means all of them, which gives a scalar. keepdims changes
// only the shape, not the memory. The generated code writes the walks as loops of its own
// (StridedLoops.EmitGroups): for each output element the reduced elements in row-major order, so
// sums round the same way in C and here, and max picks the first maximum.

public enum ReductionKind { Sum, Mean, Max }

/// <summary>Axis bookkeeping shared by the reductions.</summary>
public static class ReductionAxes
{
    /// <summary>
    /// Maps per-sample axes (as written in the model, where axis 0 is the first axis after the
    /// batch) to full-tensor axes. Negative axes count from the end and are the same in both.
    /// </summary>
    public static int[] FromPerSample(IEnumerable<int> perSampleAxes) =>
        perSampleAxes.Select(a => a < 0 ? a : a + 1).ToArray();

    /// <summary>Which axes of a rank-<paramref name="rank"/> tensor are reduced, or null with a reason.</summary>
    public static bool[]? Flags(IReadOnlyList<int>? axes, int rank, out string? error)
    {
        error = null;
        var flags = new bool[rank];
        if (axes is null)
        {
            Array.Fill(flags, true);
            return flags;
        }
        foreach (var axis in axes)
        {
            var a = axis < 0 ? axis + rank : axis;
            if (a < 0 || a >= rank) { error = $"axis {axis} is out of range for rank {rank}"; return null; }
            if (flags[a]) { error = $"axis {axis} is listed twice"; return null; }
            flags[a] = true;
        }
        return flags;
    }

    /// <summary>
    /// Row-major offsets of the kept part (one per output element) and of the reduced part (one
    /// per reduced element) of a tensor of shape <paramref name="x"/>: element (o, r) is at outer[o] + inner[r].
    /// </summary>
    public static (int[] Outer, int[] Inner) Split(Shape x, bool[] reduced)
    {
        var strides = x.Strides();
        int[] Pick(bool which, int[] values) => Enumerable.Range(0, x.Rank).Where(i => reduced[i] == which).Select(i => values[i]).ToArray();
        var dims = x.ToArray();
        return (Broadcasting.Offsets(Pick(false, dims), Pick(false, strides)), Broadcasting.Offsets(Pick(true, dims), Pick(true, strides)));
    }
}

/// <summary>Base of sum, mean and max. Input: x; output: x without (or with extent 1 on) the reduced axes.</summary>
public abstract class ReductionOp(IReadOnlyList<int>? axes, bool keepDims) : Op
{
    /// <summary>Full-tensor axes; null reduces every axis.</summary>
    public IReadOnlyList<int>? Axes { get; } = axes?.ToArray();
    public bool KeepDims { get; } = keepDims;
    public override string? KernelFamily => null;

    public override string Describe() =>
        $"{Name}(axes={(Axes is null ? "all" : "[" + string.Join(", ", Axes) + "]")}{(KeepDims ? ", keepdims" : "")})";

    public bool[] Reduced(Shape x) => ReductionAxes.Flags(Axes, x.Rank, out _)!;

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        if (s.Count != 1) { error = $"{Name} takes one tensor"; return null; }
        if (s[0].Rank > Broadcasting.MaxRank) { error = $"rank {s[0].Rank} is above the supported {Broadcasting.MaxRank}"; return null; }
        var flags = ReductionAxes.Flags(Axes, s[0].Rank, out error);
        if (flags is null) return null;
        var dims = Enumerable.Range(0, s[0].Rank).Where(i => KeepDims || !flags[i]).Select(i => flags[i] ? 1 : s[0][i]).ToArray();
        return new Shape(dims);
    }

    protected abstract ReductionKind Kind { get; }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y) = (a.In(0), a.Out);
        var (outer, inner) = ReductionAxes.Split(a.InShape(0), Reduced(a.InShape(0)));
        for (var o = 0; o < outer.Length; o++)
        {
            var acc = Kind == ReductionKind.Max ? x[outer[o]] : T.Zero;
            for (var r = Kind == ReductionKind.Max ? 1 : 0; r < inner.Length; r++)
            {
                var v = x[outer[o] + inner[r]];
                acc = Kind == ReductionKind.Max ? (v > acc ? v : acc) : acc + v;
            }
            y[o] = Kind == ReductionKind.Mean ? acc / T.CreateChecked(inner.Length) : acc;
        }
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx)
    {
        var x = ctx.Input(0);
        // As the loss (a reduction over everything usually is), dy is 1 and is left out.
        Tensor[] inputs = [.. Kind == ReductionKind.Max ? [x] : Array.Empty<Tensor>(), .. ctx.GradOutputOrNull is { } dy ? [dy] : Array.Empty<Tensor>()];
        return [ctx.Builder.Apply(new ReductionGradOp(Kind, Axes, x.Shape), inputs, "grad." + x.Name, null)];
    }

    public override void Emit(IKernelCallWriter c)
    {
        var x = c.Node.Input(0).Shape;
        var (input, count) = (c.In(0), Count(x));
        var (begin, element) = Kind == ReductionKind.Max
            ? ($"float acc = {input}[base];", (Func<string, string>)(r => $"if ({input}[base + {r}] > acc) acc = {input}[base + {r}];"))
            : ("float acc = 0.0f;", r => $"acc += {input}[base + {r}];");
        var result = Kind == ReductionKind.Mean ? $"acc / {CodeGen.CText.Float(count)}" : "acc";
        StridedLoops.EmitGroups(c, x, Reduced(x), begin, [element], $"{c.Out}[k] = {result};");
    }

    /// <summary>Elements per reduced group.</summary>
    private int Count(Shape x) => Enumerable.Range(0, x.Rank).Where(i => Reduced(x)[i]).Aggregate(1, (n, i) => n * x[i]);
}

public sealed class SumOp(IReadOnlyList<int>? axes = null, bool keepDims = false) : ReductionOp(axes, keepDims)
{
    public override string Name => "sum";
    protected override ReductionKind Kind => ReductionKind.Sum;
}

public sealed class MeanOp(IReadOnlyList<int>? axes = null, bool keepDims = false) : ReductionOp(axes, keepDims)
{
    public override string Name => "mean";
    protected override ReductionKind Kind => ReductionKind.Mean;
}

/// <summary>Maximum; its gradient goes to the first maximal element of each reduced group.</summary>
public sealed class MaxOp(IReadOnlyList<int>? axes = null, bool keepDims = false) : ReductionOp(axes, keepDims)
{
    public override string Name => "max";
    protected override ReductionKind Kind => ReductionKind.Max;
}

/// <summary>
/// dx of a reduction, in the shape <see cref="InputShape"/> of its input. Inputs: for max the
/// forward input x (the kernel finds the first maximum again instead of keeping an index tensor
/// alive), then dy in either keepdims layout (the same memory), left out when the reduction is
/// the loss and dy is 1. sum: dx = dy; mean: dx = dy / count; max: dx = dy at the first maximum, 0 elsewhere.
/// </summary>
public sealed class ReductionGradOp(ReductionKind kind, IReadOnlyList<int>? axes, Shape inputShape) : Op
{
    public ReductionKind Kind { get; } = kind;
    public IReadOnlyList<int>? Axes { get; } = axes?.ToArray();
    public Shape InputShape { get; } = inputShape;

    public override string Name => $"reduce_{Kind.ToString().ToLowerInvariant()}_backward";
    public override string? KernelFamily => null;

    private int SavedInputs => Kind == ReductionKind.Max ? 1 : 0;

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        var flags = ReductionAxes.Flags(Axes, InputShape.Rank, out error);
        if (flags is null) return null;
        var keptCount = Enumerable.Range(0, InputShape.Rank).Where(i => !flags[i]).Aggregate(1, (n, i) => n * InputShape[i]);
        var ok = (s.Count == SavedInputs || (s.Count == SavedInputs + 1 && s[SavedInputs].Count == keptCount))
            && (SavedInputs == 0 || s[0].Equals(InputShape));
        error = ok ? null : $"{Name} takes {(SavedInputs == 1 ? $"x {InputShape} and " : "")}an optional dy of the reduced shape";
        return ok ? InputShape : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var dx = a.Out;
        var dy = a.Inputs.Count > SavedInputs ? a.In(SavedInputs) : null;
        var (outer, inner) = ReductionAxes.Split(InputShape, ReductionAxes.Flags(Axes, InputShape.Rank, out _)!);
        var count = T.CreateChecked(inner.Length);
        for (var o = 0; o < outer.Length; o++)
        {
            var g = dy is null ? T.One : dy[o];
            if (Kind == ReductionKind.Max)
            {
                var x = a.In(0);
                var best = 0;
                for (var r = 1; r < inner.Length; r++)
                    if (x[outer[o] + inner[r]] > x[outer[o] + inner[best]]) best = r;
                for (var r = 0; r < inner.Length; r++) dx[outer[o] + inner[r]] = r == best ? g : T.Zero;
            }
            else
            {
                if (Kind == ReductionKind.Mean) g /= count;
                for (var r = 0; r < inner.Length; r++) dx[outer[o] + inner[r]] = g;
            }
        }
    }

    public override void Emit(IKernelCallWriter c)
    {
        var reduced = ReductionAxes.Flags(Axes, InputShape.Rank, out _)!;
        var count = Enumerable.Range(0, InputShape.Rank).Where(i => reduced[i]).Aggregate(1, (n, i) => n * InputShape[i]);
        var g = c.Node.Inputs.Count > SavedInputs ? $"{c.In(SavedInputs)}[k]" : "1.0f";
        if (Kind == ReductionKind.Mean) g = $"{g} / {CodeGen.CText.Float(count)}";
        var dx = c.Out;
        if (Kind != ReductionKind.Max)
        {
            StridedLoops.EmitGroups(c, InputShape, reduced, $"const float g = {g};", [r => $"{dx}[base + {r}] = g;"], "");
            return;
        }
        // The first maximum of the group (found again in x), then the group's gradient: g there, 0 elsewhere.
        var x = c.In(0);
        StridedLoops.EmitGroups(c, InputShape, reduced, $"const float g = {g};\nsize_t best = base;",
            [r => $"if ({x}[base + {r}] > {x}[best]) best = base + {r};", r => $"{dx}[base + {r}] = 0.0f;"],
            $"{dx}[best] = g;");
    }
}

public static class ReductionGraphExtensions
{
    /// <summary>Sum over full-tensor <paramref name="axes"/> (null: all, giving a scalar unless <paramref name="keepDims"/>).</summary>
    public static Tensor Sum(this GraphBuilder g, Tensor x, int[]? axes = null, bool keepDims = false) => g.Apply(new SumOp(axes, keepDims), x);

    /// <summary>Mean over full-tensor <paramref name="axes"/> (null: all).</summary>
    public static Tensor Mean(this GraphBuilder g, Tensor x, int[]? axes = null, bool keepDims = false) => g.Apply(new MeanOp(axes, keepDims), x);

    /// <summary>Maximum over full-tensor <paramref name="axes"/> (null: all).</summary>
    public static Tensor Max(this GraphBuilder g, Tensor x, int[]? axes = null, bool keepDims = false) => g.Apply(new MaxOp(axes, keepDims), x);
}
