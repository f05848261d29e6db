using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>The losses of schema 1; each reduces by the batch mean, as PyTorch's defaults.</summary>
public enum LossKind
{
    /// <summary><c>nll</c>: negative log-likelihood on log-probabilities, one-hot targets.</summary>
    Nll,
    /// <summary><c>cross_entropy</c>: log-softmax and nll fused, on logits.</summary>
    CrossEntropy,
    /// <summary><c>mse</c>: mean squared error over every element.</summary>
    Mse,
    /// <summary><c>bce_with_logits</c>: sigmoid and binary cross-entropy fused, on logits.</summary>
    BceWithLogits,
    /// <summary><c>hinge</c>: mean of max(0, 1 − y·ŷ), targets ±1.</summary>
    Hinge,
}

/// <summary>
/// <c>loss: { kind: { target: y, in: name, l2: λ } }</c>. <see cref="Input"/> is the layer the
/// loss reads: <c>in:</c> if given, otherwise the last layer in <c>layers:</c>.
/// </summary>
/// <param name="Target">The input holding the targets.</param>
/// <param name="TargetIndex">Index of the target in <see cref="ModelSpec.Inputs"/>.</param>
/// <param name="L2">λ of the optional <c>l2:</c> term λ·Σw² over trainable weights; 0 when omitted.</param>
/// <param name="Location">Position of the loss keyword.</param>
public sealed record LossSpec(
    LossKind Kind,
    Located<string> Target,
    int TargetIndex,
    TensorRef Input,
    double L2,
    LayerArgs Args,
    SourceLocation Location)
{
    public static IReadOnlyDictionary<string, LossKind> Keywords { get; } = new Dictionary<string, LossKind>
    {
        ["nll"] = LossKind.Nll,
        ["cross_entropy"] = LossKind.CrossEntropy,
        ["mse"] = LossKind.Mse,
        ["bce_with_logits"] = LossKind.BceWithLogits,
        ["hinge"] = LossKind.Hinge,
    };
}
