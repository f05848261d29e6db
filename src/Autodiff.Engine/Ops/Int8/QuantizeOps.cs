using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops.Int8;

// Where float and int8 meet. Quantize: a float tensor entering a quantised layer;
// Dequantize: an int8 tensor leaving the frozen part for a float (trainable) layer, once.
// Clamp: a ReLU that could not be folded into the layer before it (y = max(x, zero point)).
// Kernels: kernels/*/int8.c (ad_quantize_s8, ad_dequantize_s8, ad_clamp_s8).

/// <summary>q = saturate(round(x / scale) + zero point). Float in, int8 out.</summary>
public sealed class QuantizeOp(QuantParams q) : Op
{
    public QuantParams Params { get; } = q;
    private float InverseScale => 1f / Params.Scale;

    public override string Name => "quantize_s8";
    public override string KernelFamily => Int8Family.Name;
    public override string Describe() => $"quantize_s8({Params})";
    public override ElementType OutputElementType(IReadOnlyList<Tensor> inputs) => ElementType.Int8;

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 1 ? null : "quantize takes one tensor";
        return error is null ? s[0] : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y, inverse) = (a.In(0), a.Out, InverseScale);
        for (var i = 0; i < y.Length; i++) y[i] = T.CreateChecked(Int8Arithmetic.Quantize(float.CreateTruncating(x[i]), inverse, Params.ZeroPoint));
    }

    public override void Emit(IKernelCallWriter c) => c.Call("ad_quantize_s8", c.In(0), c.Out, c.Node.Out.Shape.Count, InverseScale, Params.ZeroPoint);
}

/// <summary>x = (q − zero point) · scale. Int8 in, float out.</summary>
public sealed class DequantizeOp(QuantParams q) : Op
{
    public QuantParams Params { get; } = q;

    public override string Name => "dequantize_s8";
    public override string KernelFamily => Int8Family.Name;
    public override string Describe() => $"dequantize_s8({Params})";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 1 ? null : "dequantize takes one tensor";
        return error is null ? s[0] : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y) = (a.In(0), a.Out);
        for (var i = 0; i < y.Length; i++) y[i] = T.CreateChecked(Int8Arithmetic.Dequantize(int.CreateTruncating(x[i]), Params.Scale, Params.ZeroPoint));
    }

    public override void Emit(IKernelCallWriter c) => c.Call("ad_dequantize_s8", c.In(0), c.Out, c.Node.Out.Shape.Count, Params.Scale, Params.ZeroPoint);
}

/// <summary>y = min(max(x, lo), hi) on int8; a ReLU in the quantised domain clamps at the zero point.</summary>
public sealed class Int8ClampOp(int lo, int hi) : Op
{
    public int Lo { get; } = lo;
    public int Hi { get; } = hi;

    public override string Name => "clamp_s8";
    public override string KernelFamily => Int8Family.Name;
    public override string Describe() => $"clamp_s8({Lo}, {Hi})";
    public override ElementType OutputElementType(IReadOnlyList<Tensor> inputs) => ElementType.Int8;
    public override bool CanRunInPlace => true;

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 1 ? null : "clamp takes one tensor";
        return error is null ? s[0] : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y) = (a.In(0), a.Out);
        for (var i = 0; i < y.Length; i++) y[i] = T.CreateChecked(Math.Clamp(int.CreateTruncating(x[i]), Lo, Hi));
    }

    public override void Emit(IKernelCallWriter c) => c.Call("ad_clamp_s8", c.In(0), c.Out, c.Node.Out.Shape.Count, Lo, Hi);
}
