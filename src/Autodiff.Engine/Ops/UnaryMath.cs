using System.Globalization;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Element-wise math functions: neg, exp, log, sqrt, sin, cos and pow with a constant exponent.
// Each backward op multiplies dy by the derivative, expressed through whichever forward value
// (input x or output y) makes it cheapest. Kernels: kernels/*/math.c.

/// <summary>y = −x.</summary>
public sealed class NegOp : UnaryElementwiseOp
{
    public override string Name => "neg";
    public override string KernelFamily => "math";
    protected override T Apply<T>(T x) => -x;

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new NegOp(), [ctx.GradOutputOrOne()], "grad." + ctx.Input(0).Name, null)];
}

/// <summary>y = eˣ.</summary>
public sealed class ExpOp : UnaryElementwiseOp
{
    public override string Name => "exp";
    public override string KernelFamily => "math";
    protected override T Apply<T>(T x) => T.Exp(x);

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new ExpGradOp(), [ctx.GradOutputOrOne(), ctx.Output], "grad." + ctx.Input(0).Name, null)];
}

/// <summary>dx = dy · y, from the forward output.</summary>
public sealed class ExpGradOp : UnaryElementwiseGradOp
{
    public override string Name => "exp_backward";
    public override string KernelFamily => "math";
    protected override T Derivative<T>(T y) => y;
}

/// <summary>y = ln x (x &gt; 0).</summary>
public sealed class LogOp : UnaryElementwiseOp
{
    public override string Name => "log";
    public override string KernelFamily => "math";
    protected override T Apply<T>(T x) => T.Log(x);

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new LogGradOp(), [ctx.GradOutputOrOne(), ctx.Input(0)], "grad." + ctx.Input(0).Name, null)];
}

/// <summary>dx = dy · (1 / x), from the forward input.</summary>
public sealed class LogGradOp : UnaryElementwiseGradOp
{
    public override string Name => "log_backward";
    public override string KernelFamily => "math";
    protected override T Derivative<T>(T x) => T.One / x;
}

/// <summary>y = √x (x ≥ 0).</summary>
public sealed class SqrtOp : UnaryElementwiseOp
{
    public override string Name => "sqrt";
    public override string KernelFamily => "math";
    protected override T Apply<T>(T x) => T.Sqrt(x);

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new SqrtGradOp(), [ctx.GradOutputOrOne(), ctx.Output], "grad." + ctx.Input(0).Name, null)];
}

/// <summary>dx = dy · (0.5 / y), from the forward output.</summary>
public sealed class SqrtGradOp : UnaryElementwiseGradOp
{
    public override string Name => "sqrt_backward";
    public override string KernelFamily => "math";
    protected override T Derivative<T>(T y) => T.CreateChecked(0.5) / y;
}

/// <summary>y = sin x.</summary>
public sealed class SinOp : UnaryElementwiseOp
{
    public override string Name => "sin";
    public override string KernelFamily => "math";
    protected override T Apply<T>(T x) => T.Sin(x);

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new SinGradOp(), [ctx.GradOutputOrOne(), ctx.Input(0)], "grad." + ctx.Input(0).Name, null)];
}

/// <summary>dx = dy · cos x, from the forward input.</summary>
public sealed class SinGradOp : UnaryElementwiseGradOp
{
    public override string Name => "sin_backward";
    public override string KernelFamily => "math";
    protected override T Derivative<T>(T x) => T.Cos(x);
}

/// <summary>y = cos x.</summary>
public sealed class CosOp : UnaryElementwiseOp
{
    public override string Name => "cos";
    public override string KernelFamily => "math";
    protected override T Apply<T>(T x) => T.Cos(x);

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new CosGradOp(), [ctx.GradOutputOrOne(), ctx.Input(0)], "grad." + ctx.Input(0).Name, null)];
}

/// <summary>dx = dy · (−sin x), from the forward input.</summary>
public sealed class CosGradOp : UnaryElementwiseGradOp
{
    public override string Name => "cos_backward";
    public override string KernelFamily => "math";
    protected override T Derivative<T>(T x) => -T.Sin(x);
}

/// <summary>
/// y = x^p for a constant exponent p, the model language's <c>pow</c> (e.g. <c>pow: { exponent: 2 }</c>).
/// A tensor exponent is not supported: x^b is exp(b · log x), which the graph can already express.
/// For non-integer p, x must be positive.
/// </summary>
public sealed class PowOp(float exponent) : UnaryElementwiseOp
{
    public float Exponent { get; } = exponent;
    public override string Name => "pow";
    public override string Describe() => $"pow(p={Exponent.ToString("R", CultureInfo.InvariantCulture)})";
    public override string KernelFamily => "math";
    protected override object[] KernelArguments => [Exponent];
    protected override T Apply<T>(T x) => T.Pow(x, T.CreateChecked(Exponent));

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new PowGradOp(Exponent), [ctx.GradOutputOrOne(), ctx.Input(0)], "grad." + ctx.Input(0).Name, null)];
}

/// <summary>dx = dy · (p · x^(p−1)), from the forward input.</summary>
public sealed class PowGradOp(float exponent) : UnaryElementwiseGradOp
{
    public float Exponent { get; } = exponent;
    public override string Name => "pow_backward";
    public override string Describe() => $"pow_backward(p={Exponent.ToString("R", CultureInfo.InvariantCulture)})";
    public override string KernelFamily => "math";
    protected override object[] KernelArguments => [Exponent];

    protected override T Derivative<T>(T x)
    {
        // x^0 is constant: its derivative is 0 everywhere, including x = 0 where p·x^(p−1) is 0·∞.
        if (Exponent == 0) return T.Zero;
        var p = T.CreateChecked(Exponent);
        return p * T.Pow(x, p - T.One);
    }
}

public static class UnaryMathGraphExtensions
{
    public static Tensor Neg(this GraphBuilder g, Tensor x) => g.Apply(new NegOp(), x);
    public static Tensor Exp(this GraphBuilder g, Tensor x) => g.Apply(new ExpOp(), x);
    public static Tensor Log(this GraphBuilder g, Tensor x) => g.Apply(new LogOp(), x);
    public static Tensor Sqrt(this GraphBuilder g, Tensor x) => g.Apply(new SqrtOp(), x);
    public static Tensor Sin(this GraphBuilder g, Tensor x) => g.Apply(new SinOp(), x);
    public static Tensor Cos(this GraphBuilder g, Tensor x) => g.Apply(new CosOp(), x);

    /// <summary>x^<paramref name="exponent"/>, element-wise, for a constant exponent.</summary>
    public static Tensor Pow(this GraphBuilder g, Tensor x, float exponent) => g.Apply(new PowOp(exponent), x);
}
