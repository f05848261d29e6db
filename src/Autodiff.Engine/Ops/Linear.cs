using System.Numerics;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Fully connected layer: y[b,o] = Σ_i x[b,i] · w[o,i] (+ bias[o]); x [B,I], w [O,I], bias [O], y [B,O].
// Kernels: kernels/*/linear.c.

/// <summary>Forward fully connected layer. Inputs: x [B,I], w [O,I], optional bias [O].</summary>
public sealed class LinearOp : Op
{
    public override string Name => "linear";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = null;
        if (s.Count is < 2 or > 3) { error = "linear takes x, weight and an optional bias"; return null; }
        if (s[0].Rank != 2) { error = $"input must be [batch, features], got {s[0]} (flatten it first)"; return null; }
        if (s[1].Rank != 2 || s[1][1] != s[0][1]) { error = $"weight must be [out, {s[0][1]}], got {s[1]}"; return null; }
        if (s.Count == 3 && (s[2].Rank != 1 || s[2][0] != s[1][0])) { error = $"bias must be [{s[1][0]}], got {s[2]}"; return null; }
        return new Shape(s[0][0], s[1][0]);
    }

    public override long MultiplyAccumulates(Node node) => node.Out.Shape.Count * (long)node.Input(1).Shape[1];

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, w, y) = (a.In(0), a.In(1), a.Out);
        var bias = a.Inputs.Count == 3 ? a.In(2) : null;
        int batch = a.InShape(0)[0], inF = a.InShape(0)[1], outF = a.InShape(1)[0];
        for (var b = 0; b < batch; b++)
            for (var o = 0; o < outF; o++)
            {
                var acc = bias is null ? T.Zero : bias[o];
                for (var i = 0; i < inF; i++) acc += x[b * inF + i] * w[o * inF + i];
                y[b * outF + o] = acc;
            }
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx)
    {
        var g = ctx.Builder;
        var dy = ctx.GradOutput;
        var grads = new Tensor?[ctx.Node.Inputs.Count];
        if (ctx.NeedsGradient(0)) grads[0] = g.Apply(new LinearInputGradOp(), [dy, ctx.Input(1)], "grad." + ctx.Input(0).Name, null);
        if (ctx.NeedsGradient(1)) grads[1] = g.Apply(new LinearWeightGradOp(), [dy, ctx.Input(0)], "grad." + ctx.Input(1).Name, null);
        if (grads.Length == 3 && ctx.NeedsGradient(2)) grads[2] = g.Apply(new BiasGradOp(), [dy], "grad." + ctx.Input(2).Name, null);
        return grads;
    }

    public override void Emit(IKernelCallWriter c)
    {
        var n = c.Node;
        var bias = n.Inputs.Count == 3 ? c.In(2) : "NULL";
        c.Call("ad_linear_f32", c.In(0), c.In(1), bias, c.Out, n.Input(0).Shape[0], n.Input(0).Shape[1], n.Input(1).Shape[0]);
    }
}

/// <summary>dx[b,i] = Σ_o dy[b,o] · w[o,i]. Inputs: dy [B,O], w [O,I]; output [B,I].</summary>
public sealed class LinearInputGradOp : Op
{
    public override string Name => "linear_backward_input";
    public override string KernelFamily => "linear";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Rank == 2 && s[1].Rank == 2 && s[0][1] == s[1][0] ? null : "dy [B,O] and w [O,I] expected";
        return error is null ? new Shape(s[0][0], s[1][1]) : null;
    }

    public override long MultiplyAccumulates(Node node) => node.Out.Shape.Count * (long)node.Input(1).Shape[0];

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (dy, w, dx) = (a.In(0), a.In(1), a.Out);
        int batch = a.InShape(0)[0], outF = a.InShape(1)[0], inF = a.InShape(1)[1];
        for (var b = 0; b < batch; b++)
            for (var i = 0; i < inF; i++)
            {
                var acc = T.Zero;
                for (var o = 0; o < outF; o++) acc += dy[b * outF + o] * w[o * inF + i];
                dx[b * inF + i] = acc;
            }
    }

    public override void Emit(IKernelCallWriter c)
    {
        var w = c.Node.Input(1).Shape;
        c.Call("ad_linear_backward_input_f32", c.In(0), c.In(1), c.Out, c.Node.Input(0).Shape[0], w[1], w[0]);
    }
}

/// <summary>
/// dw[o,i] = Σ_b dy[b,o] · x[b,i]. Inputs: dy [B,O], x [B,I]; output [O,I]. Fused with its update:
/// plain SGD is <c>ad_linear_sgd_f32</c> (w −= lr·dyᵀx, no gradient anywhere); any other optimizer gets a
/// loop that sums each weight's gradient over the batch in a register and updates it at once.
/// </summary>
public sealed class LinearWeightGradOp : Op, IFusedGradient
{
    public override string Name => "linear_backward_weight";
    public override string KernelFamily => "linear";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Rank == 2 && s[1].Rank == 2 && s[0][0] == s[1][0] ? null : "dy [B,O] and x [B,I] expected";
        return error is null ? new Shape(s[0][1], s[1][1]) : null;
    }

    public override long MultiplyAccumulates(Node node) => node.Out.Shape.Count * (long)node.Input(0).Shape[0];

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (dy, x, dw) = (a.In(0), a.In(1), a.Out);
        int batch = a.InShape(0)[0], outF = a.InShape(0)[1], inF = a.InShape(1)[1];
        for (var o = 0; o < outF; o++)
            for (var i = 0; i < inF; i++)
            {
                var acc = T.Zero;
                for (var b = 0; b < batch; b++) acc += dy[b * outF + o] * x[b * inF + i];
                dw[o * inF + i] = acc;
            }
    }

    public override void Emit(IKernelCallWriter c)
    {
        var (batch, inF, outF) = Sizes(c.Node);
        c.Call("ad_linear_backward_weight_f32", c.In(0), c.In(1), c.Out, batch, inF, outF);
    }

    public void EmitFused(IKernelCallWriter c, BoundUpdate update)
    {
        var (batch, inF, outF) = Sizes(c.Node);
        if (update.PlainDescentRate is { } lr)
        {
            c.Call("ad_linear_sgd_f32", update.Parameter, c.In(0), c.In(1), batch, inF, outF, lr);
            return;
        }
        var (dy, x) = (c.In(0), c.In(1));
        c.Line($"for (uint32_t o = 0; o < {outF}u; ++o) {{");
        if (batch <= UnrolledBatch)
        {
            // The row's dy values are loaded once (stores to the weights might alias them as far as
            // the compiler knows), and the sum over the batch is written out.
            c.Line($"const float {string.Join(", ", Enumerable.Range(0, batch).Select(b => $"dy{b} = {dy}[{b * outF}u + o]"))};");
            c.Line($"for (uint32_t i = 0; i < {inF}u; ++i) {{");
            c.Line($"float g = dy0 * {x}[i];");
            for (var b = 1; b < batch; b++) c.Line($"g = AD_FMA(dy{b}, {x}[{b * inF}u + i], g);");
        }
        else
        {
            c.Line($"for (uint32_t i = 0; i < {inF}u; ++i) {{");
            c.Line("float g = 0.0f;");
            c.Line($"for (uint32_t b = 0; b < {batch}u; ++b) g = AD_FMA({dy}[(size_t)b * {outF}u + o], {x}[(size_t)b * {inF}u + i], g);");
        }
        update.Element("g", $"(size_t)o * {inF}u + i");
        c.Line("}");
        c.Line("}");
    }

    /// <summary>Batches up to this size get the sum over samples written out in the fused loop.</summary>
    private const int UnrolledBatch = 8;

    private static (int Batch, int In, int Out) Sizes(Node n) => (n.Input(0).Shape[0], n.Input(1).Shape[1], n.Input(0).Shape[1]);
}

/// <summary>dbias[o] = Σ over every leading index of dy[..., o]. Input: dy [..., O]; output [O].</summary>
public sealed class BiasGradOp : Op
{
    public override string Name => "bias_backward";
    public override string KernelFamily => "linear";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 1 && s[0].Rank >= 1 ? null : "dy expected";
        return error is null ? new Shape(s[0][-1]) : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (dy, db) = (a.In(0), a.Out);
        var channels = db.Length;
        var rows = dy.Length / channels;
        Array.Fill(db, T.Zero);
        for (var r = 0; r < rows; r++)
            for (var o = 0; o < channels; o++) db[o] += dy[r * channels + o];
    }

    public override void Emit(IKernelCallWriter c)
    {
        var channels = c.Node.Out.Shape.Count;
        c.Call("ad_bias_backward_f32", c.In(0), c.Out, c.Node.Input(0).Shape.Count / channels, channels);
    }
}

public static class LinearGraphExtensions
{
    /// <summary>y = x · wᵀ (+ bias); x [B,I], w [O,I], bias [O].</summary>
    public static Tensor Linear(this GraphBuilder g, Tensor x, Tensor w, Tensor? bias = null) =>
        g.Apply(new LinearOp(), bias is null ? [x, w] : [x, w, bias]);
}
