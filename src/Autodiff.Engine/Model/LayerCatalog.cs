using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>How an argument's value is read and checked.</summary>
public enum ArgKind
{
    /// <summary>An integer ≥ 1 (units, filters).</summary>
    PositiveInt,
    /// <summary>Any integer (an axis).</summary>
    Int,
    Bool,
    /// <summary>Any finite number.</summary>
    Float,
    /// <summary>A number in [0, 1).</summary>
    Probability,
    /// <summary>A positive integer or a list of two (kernel and stride of 2-D windows: [h, w]).</summary>
    Window,
    /// <summary><c>valid</c> or <c>same</c>.</summary>
    Padding,
    /// <summary>An integer or a list of distinct integers: per-sample axes, negative from the end.</summary>
    Axes,
    /// <summary>A per-sample shape: a non-empty list of positive integers.</summary>
    Shape,
    /// <summary>Like <see cref="Shape"/>, but one dimension may be -1 (inferred, as in PyTorch).</summary>
    ReshapeShape,
    /// <summary>A permutation of 0..n-1 over the per-sample dimensions.</summary>
    Permutation,
}

/// <summary>One argument a keyword takes; <see cref="Default"/> is its schema default as plain YAML text.</summary>
public sealed record ArgRule(string Name, ArgKind Kind, bool Required = false, string? Default = null);

/// <summary>A layer keyword of schema 1: its operand count, whether it owns parameters, its arguments.</summary>
/// <param name="WeightArrays">
/// The arrays a <c>weights:</c> folder holds for this layer, <c>&lt;layer&gt;.&lt;array&gt;.npy</c> each, all
/// required; null for the weight-and-bias layers (<c>weight</c>, and <c>bias</c> when <c>bias: true</c>),
/// which also take a single <c>.npy</c> file holding the weight.
/// </param>
/// <param name="OptionalWeightArrays">
/// Arrays a <c>weights:</c> folder may hold besides <paramref name="WeightArrays"/>, all of them or none;
/// without them the layer uses its defaults (batchnorm's mean 0 and var 1: what a model trained on
/// the host and saved with <c>NAME_save_parameters</c>, which writes only trained parameters, had).
/// </param>
public sealed record LayerKind(string Keyword, int Arity, bool HasParameters, IReadOnlyList<ArgRule> Args,
    IReadOnlyList<string>? WeightArrays = null, IReadOnlyList<string>? OptionalWeightArrays = null)
{
    public ArgRule? FindArg(string name) => Args.FirstOrDefault(a => a.Name == name);
}

/// <summary>
/// Every layer keyword of schema 1 and the rules for its arguments. The loader checks
/// arguments here so that lowering can read them without re-validating.
/// </summary>
public static class LayerCatalog
{
    /// <summary>Per-sample rank limit; NHWC images need 3, the slack covers tensor-op models.</summary>
    public const int MaxRank = 6;

    /// <summary>Keys every layer mapping may hold besides the keyword's own arguments.</summary>
    public static IReadOnlyList<string> CommonKeys { get; } = ["name", "in", "trainable", "weights", "quantize"];

    private static readonly Dictionary<string, LayerKind> Kinds = Build();

    public static IEnumerable<string> Keywords => Kinds.Keys;

    public static LayerKind? Find(string keyword) => Kinds.GetValueOrDefault(keyword);

    private static Dictionary<string, LayerKind> Build()
    {
        var kinds = new List<LayerKind>
        {
            new("linear", 1, true, [new("units", ArgKind.PositiveInt, Required: true), new("bias", ArgKind.Bool, Default: "true")]),
            new("conv2d", 1, true,
            [
                new("filters", ArgKind.PositiveInt, Required: true), new("kernel", ArgKind.Window, Required: true),
                new("stride", ArgKind.Window, Default: "1"), new("padding", ArgKind.Padding, Default: "valid"),
                new("bias", ArgKind.Bool, Default: "true"),
            ]),
            // One filter set per input channel: weights [kh, kw, channels·depth_multiplier] (Ops/DepthwiseConv2d.cs).
            new("depthwise_conv2d", 1, true,
            [
                new("kernel", ArgKind.Window, Required: true), new("stride", ArgKind.Window, Default: "1"),
                new("padding", ArgKind.Padding, Default: "valid"), new("bias", ArgKind.Bool, Default: "true"),
                new("depth_multiplier", ArgKind.PositiveInt, Default: "1"),
            ]),
            // Inference-form batch normalisation over the last axis; mean and var are constants, never trained.
            new("batchnorm", 1, true, [new("eps", ArgKind.Float, Default: "1e-5")], WeightArrays: ["gamma", "beta"], OptionalWeightArrays: ["mean", "var"]),
            // stride defaults to the kernel (PyTorch); filled in by Validate since it depends on kernel.
            new("maxpool2d", 1, false, [new("kernel", ArgKind.Window, Required: true), new("stride", ArgKind.Window)]),
            new("avgpool2d", 1, false, [new("kernel", ArgKind.Window, Required: true), new("stride", ArgKind.Window)]),
            // NHWC [B,H,W,C] -> [B,C], the mean over H and W.
            new("global_avgpool", 1, false, []),
            new("flatten", 1, false, []),
            new("reshape", 1, false, [new("shape", ArgKind.ReshapeShape, Required: true)]),
            new("dropout", 1, false, [new("p", ArgKind.Probability, Default: "0.5")]),
            // perm omitted: reverse the per-sample dimensions (numpy's default).
            new("transpose", 1, false, [new("perm", ArgKind.Permutation)]),
            new("broadcast", 1, false, [new("shape", ArgKind.Shape, Required: true)]),
            // axes omitted: every size-1 per-sample dimension.
            new("squeeze", 1, false, [new("axes", ArgKind.Axes)]),
            new("unsqueeze", 1, false, [new("axes", ArgKind.Axes, Required: true)]),
            new("softmax", 1, false, [new("axis", ArgKind.Int, Default: "-1")]),
            new("log_softmax", 1, false, [new("axis", ArgKind.Int, Default: "-1")]),
        };
        // axes omitted: every per-sample dimension.
        foreach (var reduce in new[] { "sum", "mean", "max" })
            kinds.Add(new(reduce, 1, false, [new("axes", ArgKind.Axes), new("keepdims", ArgKind.Bool, Default: "false")]));
        foreach (var binary in new[] { "add", "sub", "mul", "div", "matmul" })
            kinds.Add(new(binary, 2, false, []));
        // Activations and math functions: each op declares its own keyword and arguments.
        foreach (var function in Ops.ElementwiseFunctions.ByKeyword.Values)
            kinds.Add(new(function.Keyword, 1, false, function.Arguments));
        return kinds.ToDictionary(k => k.Keyword, StringComparer.Ordinal);
    }

    /// <summary>
    /// Checks the arguments of one layer (unknown ones are the caller's concern) and returns them with
    /// schema defaults filled in, or null after reporting.
    /// </summary>
    public static LayerArgs? Validate(LayerKind kind, LayerArgs args, SourceLocation layerAt, DiagnosticBag diags)
    {
        var ok = true;
        foreach (var rule in kind.Args)
        {
            if (!args.Has(rule.Name))
            {
                if (rule.Required)
                {
                    diags.Error(ModelDiagnosticCodes.MissingArgument,
                        $"{kind.Keyword} needs '{rule.Name}' ({Describe(rule.Kind)})", layerAt);
                    ok = false;
                }
                else if (rule.Default is { } text)
                {
                    args = args.With(rule.Name, ArgValue.Default(text, layerAt));
                }
                continue;
            }
            ok &= Check(rule, args, diags);
        }

        if (ok && kind.Keyword is "maxpool2d" or "avgpool2d" && !args.Has("stride") && args["kernel"] is { } kernel)
            args = args.With("stride", kernel with { IsDefault = true });
        return ok ? args : null;
    }

    private static bool Check(ArgRule rule, LayerArgs args, DiagnosticBag diags)
    {
        var name = rule.Name;
        switch (rule.Kind)
        {
            case ArgKind.PositiveInt: return args.Int(name, diags, min: 1) is not null;
            case ArgKind.Int: return args.Int(name, diags) is not null;
            case ArgKind.Bool: return args.Bool(name, diags) is not null;
            case ArgKind.Float: return args.Float(name, diags) is not null;
            case ArgKind.Probability: return args.Float(name, diags, FloatRange.UnitHalfOpen) is not null;
            case ArgKind.Window: return args.IntOrList(name, 2, diags, min: 1) is not null;
            case ArgKind.Padding: return args.Enum(name, diags, "valid", "same") is not null;
            case ArgKind.Axes:
            {
                var axes = args.IntList(name, diags, allowScalar: true);
                if (axes is null) return false;
                return CheckRank(args, name, axes, diags) && CheckDistinct(args, name, axes, diags);
            }
            case ArgKind.Shape:
            {
                var dims = args.IntList(name, diags, min: 1);
                return dims is not null && CheckRank(args, name, dims, diags, nonEmpty: true);
            }
            case ArgKind.ReshapeShape:
            {
                var dims = args.IntList(name, diags, min: -1);
                if (dims is null || !CheckRank(args, name, dims, diags, nonEmpty: true)) return false;
                var items = args[name]!.Items!;
                for (var i = 0; i < dims.Count; i++)
                {
                    if (dims[i] == 0)
                    {
                        diags.Error(ModelDiagnosticCodes.InvalidShape,
                            $"{args.Owner} '{name}': a dimension must be positive or -1 (inferred); got 0", items[i].Location);
                        return false;
                    }
                    if (dims[i] == -1 && dims.Take(i).Contains(-1))
                    {
                        diags.Error(ModelDiagnosticCodes.InvalidShape,
                            $"{args.Owner} '{name}': only one dimension may be -1", items[i].Location);
                        return false;
                    }
                }
                return true;
            }
            case ArgKind.Permutation:
            {
                var perm = args.IntList(name, diags, min: 0);
                if (perm is null || !CheckRank(args, name, perm, diags, nonEmpty: true)) return false;
                if (perm.Order().SequenceEqual(Enumerable.Range(0, perm.Count))) return true;
                diags.Error(ModelDiagnosticCodes.OutOfRange,
                    $"{args.Owner} '{name}' must be a permutation of 0..{perm.Count - 1}; got [{string.Join(", ", perm)}]",
                    args.LocationOf(name));
                return false;
            }
            default:
                throw new InvalidOperationException($"no check for {rule.Kind}");
        }
    }

    private static bool CheckRank(LayerArgs args, string name, IReadOnlyList<int> list, DiagnosticBag diags, bool nonEmpty = false)
    {
        if (nonEmpty && list.Count == 0)
        {
            diags.Error(ModelDiagnosticCodes.InvalidShape, $"{args.Owner} '{name}' must not be empty", args.LocationOf(name));
            return false;
        }
        if (list.Count <= MaxRank) return true;
        diags.Error(ModelDiagnosticCodes.InvalidShape,
            $"{args.Owner} '{name}' has {list.Count} entries; tensors have at most {MaxRank} per-sample dimensions",
            args.LocationOf(name));
        return false;
    }

    private static bool CheckDistinct(LayerArgs args, string name, IReadOnlyList<int> axes, DiagnosticBag diags)
    {
        if (axes.Distinct().Count() == axes.Count) return true;
        diags.Error(ModelDiagnosticCodes.OutOfRange,
            $"{args.Owner} '{name}' lists an axis twice: [{string.Join(", ", axes)}]", args.LocationOf(name));
        return false;
    }

    internal static string Describe(ArgKind kind) => kind switch
    {
        ArgKind.PositiveInt => "a positive integer",
        ArgKind.Int => "an integer",
        ArgKind.Bool => "true or false",
        ArgKind.Float => "a number",
        ArgKind.Probability => "a number in [0, 1)",
        ArgKind.Window => "an integer or [height, width]",
        ArgKind.Padding => "valid or same",
        ArgKind.Axes => "an axis or a list of axes",
        ArgKind.Shape or ArgKind.ReshapeShape => "a list of dimensions",
        ArgKind.Permutation => "a permutation of the axes",
        _ => kind.ToString(),
    };
}
