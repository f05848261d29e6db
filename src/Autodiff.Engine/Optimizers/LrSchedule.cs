using Autodiff.Engine.CodeGen;
using System.Globalization;

namespace Autodiff.Engine.Optimizers;

/// <summary>
/// How the learning rate changes with t, the number of training steps completed so far, using
/// PyTorch's closed forms. The rate is computed in double and rounded to the element type once,
/// identically by the interpreter and by <c>ad_lr_schedule_f32</c> in the generated C.
/// </summary>
public abstract record LrSchedule
{
    /// <summary>The base rate at every step.</summary>
    public static LrSchedule None { get; } = new ConstantLr();

    /// <summary>The rate for step <paramref name="step"/> (0 on the first training step).</summary>
    public abstract double LearningRate(double baseLr, long step);

    /// <summary>Problems with the schedule's arguments, empty when it is usable.</summary>
    public virtual IReadOnlyList<string> Validate() => [];

    /// <summary>The kind macro and arguments of <c>ad_lr_schedule_f32</c> after base_lr: gamma, period, eta_min.</summary>
    internal abstract (string Kind, double Gamma, int Period, double EtaMin) KernelArguments { get; }

    /// <summary>
    /// A C expression for the rate of the current step; a plain literal when the rate is constant.
    /// </summary>
    internal string CExpression(double baseLr, string stepCounter)
    {
        if (this is ConstantLr) return CText.Float(baseLr);
        var (kind, gamma, period, etaMin) = KernelArguments;
        return $"ad_lr_schedule_f32({kind}, {CText.Double(baseLr)}, {CText.Double(gamma)}, {period}u, {CText.Double(etaMin)}, {stepCounter})";
    }
}

/// <summary>No schedule: the base rate throughout.</summary>
public sealed record ConstantLr : LrSchedule
{
    public override double LearningRate(double baseLr, long step) => baseLr;
    internal override (string, double, int, double) KernelArguments => ("AD_LR_CONSTANT", 0, 1, 0);
}

/// <summary>PyTorch's <c>StepLR</c>: lr · gamma^⌊t / stepSize⌋.</summary>
public sealed record StepLr(int StepSize, double Gamma = 0.1) : LrSchedule
{
    public override double LearningRate(double baseLr, long step) => baseLr * Math.Pow(Gamma, step / StepSize);

    public override IReadOnlyList<string> Validate() =>
        [.. StepSize < 1 ? ["step_size must be at least 1"] : Array.Empty<string>(),
         .. !double.IsFinite(Gamma) || Gamma <= 0 ? ["gamma must be positive"] : Array.Empty<string>()];

    internal override (string, double, int, double) KernelArguments => ("AD_LR_STEP", Gamma, StepSize, 0);
}

/// <summary>PyTorch's <c>ExponentialLR</c>: lr · gamma^t.</summary>
public sealed record ExponentialLr(double Gamma) : LrSchedule
{
    public override double LearningRate(double baseLr, long step) => baseLr * Math.Pow(Gamma, step);

    public override IReadOnlyList<string> Validate() =>
        !double.IsFinite(Gamma) || Gamma <= 0 ? ["gamma must be positive"] : [];

    internal override (string, double, int, double) KernelArguments => ("AD_LR_EXPONENTIAL", Gamma, 1, 0);
}

/// <summary>
/// PyTorch's <c>CosineAnnealingLR</c> closed form, etaMin + (lr − etaMin)(1 + cos(π t / tMax)) / 2,
/// for t ≤ tMax. Afterwards the rate stays at etaMin: PyTorch's closed form would rise again
/// (it is periodic), which on a device that trains indefinitely would undo the annealing.
/// </summary>
public sealed record CosineLr(int TMax, double EtaMin = 0) : LrSchedule
{
    public override double LearningRate(double baseLr, long step) =>
        step >= TMax ? EtaMin : EtaMin + (baseLr - EtaMin) * (1.0 + Math.Cos(Math.PI * step / TMax)) / 2.0;

    public override IReadOnlyList<string> Validate() =>
        [.. TMax < 1 ? ["t_max must be at least 1"] : Array.Empty<string>(),
         .. !double.IsFinite(EtaMin) || EtaMin < 0 ? ["eta_min must be a non-negative number"] : Array.Empty<string>()];

    internal override (string, double, int, double) KernelArguments => ("AD_LR_COSINE", 0, TMax, EtaMin);
}
