using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>A layer as read, before its <c>in:</c> names are resolved against the whole model.</summary>
/// <param name="Kind">Null for an unknown keyword (already reported); kept so its name still resolves.</param>
/// <param name="InNames">Names written in <c>in:</c>, in order.</param>
/// <param name="InLocation">Position of the <c>in:</c> value, when written.</param>
/// <param name="ReadsPrevious">The previous output is the first operand (no <c>in:</c>, or a binary op given one name).</param>
internal sealed record RawLayer(
    int Index,
    string Keyword,
    LayerKind? Kind,
    Located<string>? Name,
    IReadOnlyList<Located<string>> InNames,
    SourceLocation? InLocation,
    bool ReadsPrevious,
    bool Trainable,
    WeightsSpec? Weights,
    LayerArgs Args,
    SourceLocation Location)
{
    /// <summary>Where <c>quantize: int8</c> was written, when it was.</summary>
    public SourceLocation? Int8 { get; init; }
}

/// <summary>Reads one entry of <c>layers:</c>: its form, keyword, common keys and arguments.</summary>
internal static class LayerReader
{
    private const string Example = "'- linear: { units: 32, name: fc1 }'";

    public static RawLayer? Read(YNode node, int index, int batch, ReadContext ctx)
    {
        var diags = ctx.Diags;
        var entry = ctx.KeywordEntry(node, "a layer", Example);
        if (entry is null) return null;
        var (keywordNode, map) = entry.Value;
        var keyword = keywordNode.Value;
        var at = keywordNode.Location;
        var kind = LayerCatalog.Find(keyword);
        if (kind is null)
            ctx.UnknownKey(ModelDiagnosticCodes.UnknownLayer, keywordNode, "layer", LayerCatalog.Keywords);

        Located<string>? name = null;
        var inNames = new List<Located<string>>();
        SourceLocation? inLocation = null;
        var trainable = true;
        YNode? weightsNode = null;
        YNode? quantizeNode = null;

        foreach (var (key, value) in map?.Entries ?? [])
        {
            switch (key.Value)
            {
                case "name":
                    if (ctx.Text(value, "'name'") is { } n && ModelNames.Check(n.Value, "layer name", n.Location, diags))
                        name = new(n.Value, n.Location);
                    break;
                case "in":
                    inLocation = value.Location;
                    ReadIn(value, inNames, ctx);
                    break;
                case "trainable":
                    if (value is YScalar { IsPlain: true } t && ScalarText.TryBool(t.Value, out var b)) trainable = b;
                    else diags.Error(ModelDiagnosticCodes.WrongType, $"'trainable' must be true or false; got {value.Describe()}", value.Location);
                    break;
                case "weights":
                    weightsNode = value;
                    break;
                case "quantize":
                    quantizeNode = value;
                    break;
            }
        }

        if (kind is null)
            return new RawLayer(index, keyword, null, name, inNames, inLocation, inNames.Count == 0, trainable, null, LayerArgs.Empty(keyword), at);

        var written = ctx.Args(keyword, map, kind.Args.Select(a => a.Name).ToList(), LayerCatalog.CommonKeys);
        var args = LayerCatalog.Validate(kind, written, at, diags) ?? written;
        CheckSizes(kind, args, batch, diags);

        var readsPrevious = CheckOperandCount(kind, inNames, inLocation, at, diags);

        // Pretraining trains the whole model from its seeded values, before any weights file exists.
        if (ctx.Options.TrainAll)
        {
            trainable = true;
            weightsNode = null;
        }
        if (!ctx.Options.ReadsQuantization) quantizeNode = null;

        if (!trainable && !kind.HasParameters)
            diags.Warning(ModelDiagnosticCodes.TrainableWithoutParameters,
                $"'trainable: false' has no effect: {keyword} has no parameters", at);

        WeightsSpec? weights = null;
        if (weightsNode is not null)
        {
            if (!kind.HasParameters)
                diags.Error(ModelDiagnosticCodes.WeightsOnParameterlessLayer,
                    $"'weights' given for {keyword}, which has no parameters; only {string.Join(", ", LayerCatalog.Keywords.Where(k => LayerCatalog.Find(k)!.HasParameters))} take weights", weightsNode.Location);
            else
                weights = WeightsReader.Read(weightsNode, name?.Value, kind, args.Bool("bias", true, diags), ctx);
        }

        var int8 = quantizeNode is null ? null : ReadQuantize(quantizeNode, kind, trainable, ctx);
        return new RawLayer(index, keyword, kind, name, inNames, inLocation, readsPrevious, trainable, weights, args, at) { Int8 = int8 };
    }

    /// <summary>
    /// <c>quantize: int8</c> (or <c>none</c>): only frozen layers that have int8 kernels are quantised.
    /// Returns the value's position for int8, else null (after reporting what is wrong).
    /// </summary>
    private static SourceLocation? ReadQuantize(YNode value, LayerKind kind, bool trainable, ReadContext ctx)
    {
        var choice = value is YScalar { IsPlain: true } s ? s.Value : null;
        if (choice == "none") return null;
        if (choice != Quantization.Int8)
        {
            ctx.Diags.Error(ModelDiagnosticCodes.InvalidChoice, $"'quantize' must be int8 or none; got {value.Describe()}", value.Location);
            return null;
        }
        if (!Quantization.Keywords.Contains(kind.Keyword))
        {
            ctx.Diags.Error(ModelDiagnosticCodes.QuantizeUnsupported,
                $"{kind.Keyword} has no int8 kernel; 'quantize: int8' applies to {string.Join(", ", Quantization.Keywords)}", value.Location);
            return null;
        }
        if (kind.HasParameters && trainable)
        {
            ctx.Diags.Error(ModelDiagnosticCodes.QuantizeTrainable,
                $"'quantize: int8' needs a frozen layer: int8 weights cannot be trained; add 'trainable: false' (usually with 'weights:')", value.Location);
            return null;
        }
        return value.Location;
    }

    private static void ReadIn(YNode value, List<Located<string>> names, ReadContext ctx)
    {
        switch (value)
        {
            case YScalar { IsNull: false } one:
                names.Add(new(one.Value, one.Location));
                break;
            case YSequence list when list.Items.Count == 0:
                ctx.Diags.Error(ModelDiagnosticCodes.EmptyList, "'in' must name at least one tensor; omit it to read the previous output", list.Location);
                break;
            case YSequence list:
                foreach (var item in list.Items)
                    if (ctx.Text(item, "an entry of 'in'") is { } s) names.Add(new(s.Value, s.Location));
                break;
            default:
                ctx.Diags.Error(ModelDiagnosticCodes.WrongType, $"'in' must be a name or a list of names; got {value.Describe()}", value.Location);
                break;
        }
    }

    /// <summary>
    /// Unary layers take one name in <c>in:</c>; binary ones two, or one with the previous output
    /// as first operand. Returns whether the previous output is an operand.
    /// </summary>
    private static bool CheckOperandCount(LayerKind kind, List<Located<string>> inNames, SourceLocation? inLocation, SourceLocation at, DiagnosticBag diags)
    {
        var count = inNames.Count;
        if (inLocation is null) count = 0;
        if (kind.Arity == 1)
        {
            if (count > 1)
                diags.Error(ModelDiagnosticCodes.OperandCount,
                    $"{kind.Keyword} takes one operand; 'in' names {count}", inLocation ?? at);
            return count == 0;
        }
        if (inLocation is null)
        {
            diags.Error(ModelDiagnosticCodes.OperandCount,
                $"{kind.Keyword} takes two operands: write 'in: [a, b]', or 'in: b' to combine the previous output with b", at);
            return false;
        }
        if (count > 2)
            diags.Error(ModelDiagnosticCodes.OperandCount, $"{kind.Keyword} takes two operands; 'in' names {count}", inLocation);
        return count == 1;
    }

    /// <summary>Output sizes the loader can bound without shapes: units, filters, target shapes.</summary>
    private static void CheckSizes(LayerKind kind, LayerArgs args, int batch, DiagnosticBag diags)
    {
        foreach (var rule in kind.Args)
        {
            if (args[rule.Name] is not { IsDefault: false } value) continue;
            if (rule.Kind is ArgKind.PositiveInt && ScalarText.TryInt(value.Text ?? "", out var n) == ScalarText.IntResult.Ok && n is > 0 and <= int.MaxValue)
                SizeLimits.Check([(int)n], [value.Location], batch, $"{kind.Keyword} '{rule.Name}'", diags);
            if (rule.Kind is ArgKind.Shape or ArgKind.ReshapeShape && value.Kind == ArgValueKind.List)
            {
                var dims = new List<int>();
                foreach (var item in value.Items!)
                    dims.Add(ScalarText.TryInt(item.Text ?? "", out var d) == ScalarText.IntResult.Ok && d is >= int.MinValue and <= int.MaxValue ? (int)d : 0);
                SizeLimits.Check(dims, value.Items.Select(i => i.Location).ToList(), batch, $"{kind.Keyword} '{rule.Name}'", diags);
            }
        }
    }
}
