using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

public enum OptimizerKind { Sgd, Adam, RmsProp }

/// <summary>
/// <c>optimizer: { kind: { ... } }</c> with PyTorch semantics and PyTorch's defaults for omitted
/// hyperparameters. <see cref="Args"/> keeps every hyperparameter's position for later messages.
/// </summary>
/// <param name="Lr">The base learning rate (before any schedule).</param>
/// <param name="Location">Position of the optimizer keyword.</param>
public abstract record OptimizerSpec(
    OptimizerKind Kind,
    double Lr,
    double WeightDecay,
    ScheduleSpec? Schedule,
    LayerArgs Args,
    SourceLocation Location)
{
    public static IReadOnlyDictionary<string, OptimizerKind> Keywords { get; } = new Dictionary<string, OptimizerKind>
    {
        ["sgd"] = OptimizerKind.Sgd,
        ["adam"] = OptimizerKind.Adam,
        ["rmsprop"] = OptimizerKind.RmsProp,
    };
}

/// <summary><c>sgd</c>: lr 0.001, momentum 0, dampening 0, nesterov false, weight_decay 0.</summary>
public sealed record SgdSpec(
    double Lr, double Momentum, double Dampening, bool Nesterov, double WeightDecay,
    ScheduleSpec? Schedule, LayerArgs Args, SourceLocation Location)
    : OptimizerSpec(OptimizerKind.Sgd, Lr, WeightDecay, Schedule, Args, Location);

/// <summary><c>adam</c>: lr 0.001, betas [0.9, 0.999], eps 1e-8, weight_decay 0 (L2 added to the gradient, not AdamW).</summary>
public sealed record AdamSpec(
    double Lr, double Beta1, double Beta2, double Eps, double WeightDecay,
    ScheduleSpec? Schedule, LayerArgs Args, SourceLocation Location)
    : OptimizerSpec(OptimizerKind.Adam, Lr, WeightDecay, Schedule, Args, Location);

/// <summary><c>rmsprop</c>: lr 0.01, alpha 0.99, eps 1e-8, momentum 0, weight_decay 0 (not centered).</summary>
public sealed record RmsPropSpec(
    double Lr, double Alpha, double Eps, double Momentum, double WeightDecay,
    ScheduleSpec? Schedule, LayerArgs Args, SourceLocation Location)
    : OptimizerSpec(OptimizerKind.RmsProp, Lr, WeightDecay, Schedule, Args, Location);
