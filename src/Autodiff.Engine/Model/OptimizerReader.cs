using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// Reads <c>optimizer: { sgd|adam|rmsprop: { ..., schedule: { step|exponential|cosine: {...} } } }</c>.
/// Omitted hyperparameters take PyTorch's defaults; ranges are those under which PyTorch's update
/// rules are meaningful (PyTorch itself rejects negative values; the upper bounds here catch
/// values that can only diverge, such as momentum ≥ 1).
/// </summary>
internal static class OptimizerReader
{
    /// <summary>Each optimizer's arguments besides <c>schedule</c> (the JSON schema lists them too).</summary>
    internal static readonly Dictionary<OptimizerKind, string[]> Known = new()
    {
        [OptimizerKind.Sgd] = ["lr", "momentum", "dampening", "nesterov", "weight_decay"],
        [OptimizerKind.Adam] = ["lr", "betas", "eps", "weight_decay"],
        [OptimizerKind.RmsProp] = ["lr", "alpha", "eps", "momentum", "weight_decay"],
    };

    /// <summary>Each schedule's arguments, required ones first as <see cref="ScheduleRequired"/> says.</summary>
    internal static readonly Dictionary<string, string[]> ScheduleArgs = new()
    {
        ["step"] = ["step_size", "gamma"],
        ["exponential"] = ["gamma"],
        ["cosine"] = ["t_max", "eta_min"],
    };

    /// <summary>The argument each schedule cannot do without.</summary>
    internal static readonly Dictionary<string, string> ScheduleRequired = new()
    {
        ["step"] = "step_size",
        ["exponential"] = "gamma",
        ["cosine"] = "t_max",
    };

    private static IEnumerable<string> ScheduleKinds => ScheduleArgs.Keys;

    public static OptimizerSpec? Read(YNode node, ReadContext ctx)
    {
        var diags = ctx.Diags;
        var entry = ctx.KeywordEntry(node, "'optimizer'", "'optimizer: { sgd: { lr: 0.01 } }'");
        if (entry is null) return null;
        var (keyword, map) = entry.Value;
        if (!OptimizerSpec.Keywords.TryGetValue(keyword.Value, out var kind))
        {
            ctx.UnknownKey(ModelDiagnosticCodes.UnknownOptimizer, keyword, "optimizer", OptimizerSpec.Keywords.Keys);
            return null;
        }

        var args = ctx.Args(keyword.Value, map, Known[kind], ["schedule"]);
        var errors = diags.Items.Count(d => d.IsError);
        ScheduleSpec? schedule = null;
        if (map?.Find("schedule") is { } s) schedule = ReadSchedule(s.Value, ctx);

        var at = keyword.Location;
        var weightDecay = args.Float("weight_decay", 0, diags, FloatRange.NonNegative);
        OptimizerSpec spec;
        switch (kind)
        {
            case OptimizerKind.Sgd:
            {
                var lr = args.Float("lr", 1e-3, diags, FloatRange.Positive);
                var momentum = args.Float("momentum", 0, diags, FloatRange.UnitHalfOpen);
                var dampening = args.Float("dampening", 0, diags, FloatRange.UnitClosed);
                var nesterov = args.Bool("nesterov", false, diags);
                // PyTorch refuses Nesterov momentum without momentum or with dampening.
                if (nesterov && (momentum <= 0 || dampening != 0))
                    diags.Error(ModelDiagnosticCodes.ConflictingArguments,
                        "sgd 'nesterov: true' needs 'momentum' > 0 and 'dampening: 0'", args.LocationOf("nesterov"));
                spec = new SgdSpec(lr, momentum, dampening, nesterov, weightDecay, schedule, args, at);
                break;
            }
            case OptimizerKind.Adam:
            {
                var lr = args.Float("lr", 1e-3, diags, FloatRange.Positive);
                var betas = args.FloatList("betas", diags, FloatRange.UnitHalfOpen, length: 2) ?? [0.9, 0.999];
                var eps = args.Float("eps", 1e-8, diags, FloatRange.Positive);
                spec = new AdamSpec(lr, betas[0], betas[1], eps, weightDecay, schedule, args, at);
                break;
            }
            default:
            {
                var lr = args.Float("lr", 1e-2, diags, FloatRange.Positive);
                var alpha = args.Float("alpha", 0.99, diags, FloatRange.UnitHalfOpen);
                var eps = args.Float("eps", 1e-8, diags, FloatRange.Positive);
                var momentum = args.Float("momentum", 0, diags, FloatRange.UnitHalfOpen);
                spec = new RmsPropSpec(lr, alpha, eps, momentum, weightDecay, schedule, args, at);
                break;
            }
        }
        return diags.Items.Count(d => d.IsError) > errors ? null : spec;
    }

    private static ScheduleSpec? ReadSchedule(YNode node, ReadContext ctx)
    {
        var diags = ctx.Diags;
        var entry = ctx.KeywordEntry(node, "'schedule'", "'schedule: { step: { step_size: 100, gamma: 0.5 } }'");
        if (entry is null) return null;
        var (keyword, map) = entry.Value;
        var at = keyword.Location;
        switch (keyword.Value)
        {
            case "step":
            {
                var args = ctx.Args("step", map, ScheduleArgs["step"], []);
                var stepSize = Required(args, "step_size", at, ctx, a => a.Int("step_size", diags, min: 1));
                var gamma = args.Float("gamma", 0.1, diags, FloatRange.Positive);
                return stepSize is { } n ? new StepSchedule(n, gamma, at) : null;
            }
            case "exponential":
            {
                var args = ctx.Args("exponential", map, ScheduleArgs["exponential"], []);
                var gamma = Required(args, "gamma", at, ctx, a => a.Float("gamma", diags, FloatRange.Positive));
                return gamma is { } g ? new ExponentialSchedule(g, at) : null;
            }
            case "cosine":
            {
                var args = ctx.Args("cosine", map, ScheduleArgs["cosine"], []);
                var tMax = Required(args, "t_max", at, ctx, a => a.Int("t_max", diags, min: 1));
                var etaMin = args.Float("eta_min", 0, diags, FloatRange.NonNegative);
                return tMax is { } t ? new CosineSchedule(t, etaMin, at) : null;
            }
            default:
                ctx.UnknownKey(ModelDiagnosticCodes.UnknownSchedule, keyword, "schedule", ScheduleKinds);
                return null;
        }
    }

    private static T? Required<T>(LayerArgs args, string name, SourceLocation at, ReadContext ctx, Func<LayerArgs, T?> read) where T : struct
    {
        if (args.Has(name)) return read(args);
        ctx.Diags.Error(ModelDiagnosticCodes.MissingArgument, $"schedule {args.Owner} needs '{name}'", at);
        return null;
    }
}
