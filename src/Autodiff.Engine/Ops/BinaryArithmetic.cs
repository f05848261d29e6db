using System.Numerics;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Binary element-wise arithmetic with NumPy-style broadcasting (Broadcasting.cs): add (Add.cs),
// sub, mul, div. Operands of equal element count use the flat kernel ad_<name>_f32; any other
// pair the strided kernel ad_<name>_broadcast_f32. Gradients are computed in the output's shape
// and summed back to each operand's shape. Kernels: kernels/*/elementwise.c.

/// <summary>Base of the broadcasting binary ops. Inputs: a, b; output: their broadcast shape.</summary>
public abstract class BinaryArithmeticOp : Op
{
    public override string KernelFamily => "elementwise";

    /// <summary>
    /// The output may share memory with input 0 whenever they hold the same number of elements
    /// (the planner's condition): then input 0 is read at exactly the index being written.
    /// </summary>
    public override bool CanRunInPlace => true;

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        if (s.Count != 2) { error = $"{Name} takes two tensors"; return null; }
        return Broadcasting.Broadcast(s[0], s[1], out error);
    }

    protected abstract T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>;

    public override void Evaluate<T>(EvalArgs<T> e)
    {
        var (a, b, z) = (e.In(0), e.In(1), e.Out);
        if (a.Length == z.Length && b.Length == z.Length)
        {
            for (var i = 0; i < z.Length; i++) z[i] = Apply(a[i], b[i]);
            return;
        }
        var oa = Broadcasting.Offsets(e.InShape(0), e.OutShape);
        var ob = Broadcasting.Offsets(e.InShape(1), e.OutShape);
        for (var i = 0; i < z.Length; i++) z[i] = Apply(a[oa[i]], b[ob[i]]);
    }

    public override void Emit(IKernelCallWriter c)
    {
        var n = c.Node;
        var output = n.Out.Shape;
        if (n.Input(0).Shape.Count == output.Count && n.Input(1).Shape.Count == output.Count)
        {
            c.Call($"ad_{Name}_f32", c.In(0), c.In(1), c.Out, output.Count);
            return;
        }
        var (dims, strides) = Broadcasting.Coalesce(output.ToArray(),
            Broadcasting.AlignedStrides(n.Input(0).Shape, output), Broadcasting.AlignedStrides(n.Input(1).Shape, output));
        c.Call($"ad_{Name}_broadcast_f32", c.In(0), c.In(1), c.Out, dims.Length,
            Broadcasting.U32Array(dims), Broadcasting.U32Array(strides[0]), Broadcasting.U32Array(strides[1]));
    }

    /// <summary>Applies <paramref name="op"/> to two tensors in the backward phase.</summary>
    protected static Tensor Grad(BackwardContext ctx, Op op, Tensor a, Tensor b, string name) =>
        ctx.Builder.Apply(op, [a, b], ctx.Builder.UniqueName(name), null);
}

/// <summary>z = a − b.</summary>
public sealed class SubOp : BinaryArithmeticOp
{
    public override string Name => "sub";
    protected override T Apply<T>(T a, T b) => a - b;

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx)
    {
        var g = ctx.Builder;
        var dz = ctx.GradOutputOrOne();
        Tensor? da = null, db = null;
        if (ctx.NeedsGradient(0)) da = Broadcasting.ReduceTo(g, dz, ctx.Input(0));
        // Negate after summing: the reduced tensor is never larger than dz.
        if (ctx.NeedsGradient(1))
            db = g.Apply(new NegOp(), [Broadcasting.ReduceTo(g, dz, ctx.Input(1))], g.UniqueName("grad." + ctx.Input(1).Name), null);
        return [da, db];
    }
}

/// <summary>z = a ⊙ b.</summary>
public sealed class MulOp : BinaryArithmeticOp
{
    public override string Name => "mul";
    protected override T Apply<T>(T a, T b) => a * b;

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx)
    {
        var g = ctx.Builder;
        var dz = ctx.GradOutputOrOne();
        Tensor? da = null, db = null;
        if (ctx.NeedsGradient(0))
            da = Broadcasting.ReduceTo(g, Grad(ctx, new MulOp(), dz, ctx.Input(1), "grad." + ctx.Input(0).Name), ctx.Input(0));
        if (ctx.NeedsGradient(1))
            db = Broadcasting.ReduceTo(g, Grad(ctx, new MulOp(), dz, ctx.Input(0), "grad." + ctx.Input(1).Name), ctx.Input(1));
        return [da, db];
    }
}

/// <summary>z = a / b.</summary>
public sealed class DivOp : BinaryArithmeticOp
{
    public override string Name => "div";
    protected override T Apply<T>(T a, T b) => a / b;

    /// <summary>With q = dz / b: da = q and db = −q · z (= −dz · a / b²), each summed back to its operand's shape.</summary>
    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx)
    {
        var g = ctx.Builder;
        var (a, b) = (ctx.Input(0), ctx.Input(1));
        var q = Grad(ctx, new DivOp(), ctx.GradOutputOrOne(), b, ctx.NeedsGradient(0) ? "grad." + a.Name : "grad.div");
        Tensor? da = null, db = null;
        if (ctx.NeedsGradient(0)) da = Broadcasting.ReduceTo(g, q, a);
        if (ctx.NeedsGradient(1))
        {
            var qz = Grad(ctx, new MulOp(), q, ctx.Output, "grad." + b.Name);
            db = g.Apply(new NegOp(), [Broadcasting.ReduceTo(g, qz, b)], g.UniqueName("grad." + b.Name), null);
        }
        return [da, db];
    }
}

public static class BinaryArithmeticGraphExtensions
{
    public static Tensor Sub(this GraphBuilder g, Tensor a, Tensor b) => g.Apply(new SubOp(), a, b);
    public static Tensor Mul(this GraphBuilder g, Tensor a, Tensor b) => g.Apply(new MulOp(), a, b);
    public static Tensor Div(this GraphBuilder g, Tensor a, Tensor b) => g.Apply(new DivOp(), a, b);
}
