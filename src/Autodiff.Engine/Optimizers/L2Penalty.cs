using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Optimizers;

// The loss's `l2: λ` term, λ·Σw² over the trainable parameters. Only its value is a graph node:
// its gradient 2λ·w is added inside each optimizer update (OptimizerUpdateOp), so no gradient
// tensor is ever materialised for it. Kernel: ad_l2_penalty_f32 in kernels/*/optimizers.c.

/// <summary>Inputs: every trainable parameter; output: the scalar λ·Σ_p Σ_i p[i]².</summary>
public sealed class L2PenaltyOp : Op
{
    public L2PenaltyOp(double lambda)
    {
        if (!double.IsFinite(lambda) || lambda < 0) throw new ArgumentOutOfRangeException(nameof(lambda), "l2 must be a non-negative number");
        Lambda = lambda;
    }

    public double Lambda { get; }

    public override string Name => "l2_penalty";
    public override string Describe() => $"l2_penalty(λ={Lambda:G6})";
    public override string KernelFamily => "optimizers";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count > 0 ? null : "the L2 penalty needs at least one parameter";
        return error is null ? Shape.Scalar : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        // Per parameter: a float sum of squares, then scaled and accumulated, as the kernel calls do.
        var lambda = T.CreateChecked(Lambda);
        var total = T.Zero;
        foreach (var w in a.Inputs)
        {
            var sum = T.Zero;
            for (var i = 0; i < w.Length; i++) sum += w[i] * w[i];
            total += lambda * sum;
        }
        a.Out[0] = total;
    }

    /// <summary>
    /// Not differentiable on purpose: the optimizer update applies 2λ·w itself, so differentiating
    /// this term as well would count the gradient twice. Differentiate the data loss instead.
    /// </summary>
    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        throw new InvalidOperationException(
            "the L2 penalty's gradient is applied by the optimizer update (OptimizerBuilder.AddUpdates with l2); differentiate the data loss, not the total");

    public override void Emit(IKernelCallWriter c)
    {
        for (var i = 0; i < c.Node.Inputs.Count; i++)
            c.Call("ad_l2_penalty_f32", c.In(i), $"{c.Node.Input(i).Shape.Count}u", CText.Float(Lambda), c.Out, i == 0 ? "0" : "1");
    }
}

public static class L2PenaltyGraphExtensions
{
    /// <summary>λ·Σw² over <paramref name="parameters"/>, as a scalar.</summary>
    public static Tensor L2Penalty(this GraphBuilder g, IEnumerable<Tensor> parameters, double lambda) =>
        g.Apply(new L2PenaltyOp(lambda), parameters.ToArray(), "l2_penalty", null);

    /// <summary>
    /// The loss a training step reports: <paramref name="dataLoss"/> + λ·Σw², or the data loss itself
    /// when λ = 0. Build it before <see cref="GraphBuilder.Backward"/>, differentiate the data loss,
    /// and pass the same λ to <see cref="OptimizerBuilder.AddUpdates"/>.
    /// </summary>
    public static Tensor WithL2Penalty(this GraphBuilder g, Tensor dataLoss, IEnumerable<Tensor> parameters, double lambda)
    {
        if (lambda == 0) return dataLoss;
        if (dataLoss.Shape.Rank != 0) throw new ArgumentException($"the loss must be a scalar, '{dataLoss.Name}' is {dataLoss.Shape}");
        var penalty = g.L2Penalty(parameters, lambda);
        return g.Apply(new AddOp(), [dataLoss, penalty], "total_loss", null);
    }
}
