namespace Autodiff.Engine.Optimizers;

/// <summary>
/// An optimizer and its hyperparameters, with PyTorch's semantics and defaults. Engine-side and
/// independent of the model language: the YAML front end maps its optimizer spec onto these.
/// </summary>
/// <param name="Lr">The base learning rate, before <see cref="Schedule"/>.</param>
public abstract record OptimizerSettings(double Lr)
{
    /// <summary>How the rate decays with the number of completed training steps.</summary>
    public LrSchedule Schedule { get; init; } = LrSchedule.None;

    /// <summary>The learning rate of step <paramref name="step"/> (0-based, completed steps).</summary>
    public double LearningRate(long step) => Schedule.LearningRate(Lr, step);

    /// <summary>Problems with the hyperparameters (PyTorch's own checks), empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!double.IsFinite(Lr) || Lr < 0) problems.Add("lr must be a non-negative number");
        Check(problems);
        problems.AddRange(Schedule.Validate());
        return problems;
    }

    protected abstract void Check(List<string> problems);

    protected static void NonNegative(List<string> problems, string name, double value)
    {
        if (!double.IsFinite(value) || value < 0) problems.Add($"{name} must be a non-negative number");
    }

    protected static void UnitInterval(List<string> problems, string name, double value)
    {
        if (!double.IsFinite(value) || value < 0 || value >= 1) problems.Add($"{name} must be in [0, 1)");
    }
}

/// <summary>PyTorch's <c>torch.optim.SGD</c>.</summary>
public sealed record Sgd(double Lr, double Momentum = 0, double Dampening = 0, bool Nesterov = false, double WeightDecay = 0)
    : OptimizerSettings(Lr)
{
    protected override void Check(List<string> problems)
    {
        NonNegative(problems, "momentum", Momentum);
        NonNegative(problems, "dampening", Dampening);
        NonNegative(problems, "weight_decay", WeightDecay);
        if (Nesterov && (Momentum <= 0 || Dampening != 0))
            problems.Add("nesterov needs a positive momentum and zero dampening");
    }
}

/// <summary>PyTorch's <c>torch.optim.Adam</c>: weight decay is added to the gradient (L2), not decoupled as in AdamW.</summary>
public sealed record Adam(double Lr = 1e-3, double Beta1 = 0.9, double Beta2 = 0.999, double Eps = 1e-8, double WeightDecay = 0)
    : OptimizerSettings(Lr)
{
    protected override void Check(List<string> problems)
    {
        UnitInterval(problems, "beta1", Beta1);
        UnitInterval(problems, "beta2", Beta2);
        NonNegative(problems, "eps", Eps);
        NonNegative(problems, "weight_decay", WeightDecay);
    }
}

/// <summary>PyTorch's <c>torch.optim.RMSprop</c>, not centered.</summary>
public sealed record RmsProp(double Lr = 1e-2, double Alpha = 0.99, double Eps = 1e-8, double Momentum = 0, double WeightDecay = 0)
    : OptimizerSettings(Lr)
{
    protected override void Check(List<string> problems)
    {
        NonNegative(problems, "alpha", Alpha);
        NonNegative(problems, "eps", Eps);
        NonNegative(problems, "momentum", Momentum);
        NonNegative(problems, "weight_decay", WeightDecay);
    }
}
