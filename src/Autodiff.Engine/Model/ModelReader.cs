using Autodiff.Engine.Diagnostics;
using NuGet.Versioning;

namespace Autodiff.Engine.Model;

/// <summary>
/// Reads the top level of a schema-1 model from a YAML tree and assembles the
/// <see cref="ModelSpec"/>. Sections are read in dependency order (schema, batch, inputs, layers,
/// loss, optimizer) whatever their order in the file, and reading goes on after an error so one
/// build reports as many independent problems as possible.
/// </summary>
internal static class ModelReader
{
    /// <summary>Every key a model file may hold at its top level (the JSON schema lists them too).</summary>
    internal static readonly string[] TopLevelKeys = ["autodiff", "name", "inputs", "batch", "layers", "loss", "optimizer", "init", "calibration"];
    internal static readonly string[] RequiredKeys = ["name", "inputs", "layers", "loss", "optimizer"];

    /// <summary>
    /// Models have tens of layers. A list of tens of thousands is within the YAML node limit but
    /// would make lowering, planning and code generation take minutes and gigabytes.
    /// </summary>
    public const int MaxLayers = 4096;

    public static ModelSpec? Read(YNode root, ReadContext ctx)
    {
        var diags = ctx.Diags;
        if (ctx.Mapping(root, "a model file") is not { } top) return null;

        var schema = ReadSchema(top, ctx);
        if (schema is null && diags.Items.Any(d => d.Code == ModelDiagnosticCodes.SchemaVersionUnsupported))
            return null; // a newer schema: everything else would be noise about features this engine lacks

        foreach (var (key, _) in top.Entries)
            if (!TopLevelKeys.Contains(key.Value))
                ctx.UnknownKey(ModelDiagnosticCodes.UnknownTopLevelKey, key, "top-level key", TopLevelKeys);

        YNode? Section(string key) => top.Find(key)?.Value;

        foreach (var key in RequiredKeys)
            if (Section(key) is null)
                diags.Error(ModelDiagnosticCodes.MissingSection, $"the model has no '{key}:' section", top.Location);

        var name = Section("name") is { } nameNode ? ReadName(nameNode, ctx) : null;
        var batch = Section("batch") is { } batchNode ? ReadBatch(batchNode, ctx) : new Located<int>(1, top.Location);
        var batchValue = batch?.Value ?? 1;
        var inputs = Section("inputs") is { } inputsNode ? ReadInputs(inputsNode, batchValue, ctx) : null;

        var layers = new List<RawLayer>();
        if (Section("layers") is { } layersNode && ctx.Sequence(layersNode, "'layers'") is { } list)
        {
            if (list.Items.Count == 0)
                diags.Error(ModelDiagnosticCodes.EmptyList, "'layers' is empty; a model needs at least one layer", list.Location);
            if (list.Items.Count > MaxLayers)
                diags.Error(ModelDiagnosticCodes.TooManyNodes,
                    $"the model has {list.Items.Count} layers; at most {MaxLayers} are allowed", list.Items[MaxLayers].Location);
            else
                foreach (var item in list.Items)
                    if (LayerReader.Read(item, layers.Count, batchValue, ctx) is { } layer) layers.Add(layer);
        }

        var loss = Section("loss") is { } lossNode && inputs is not null ? LossReader.Read(lossNode, inputs, ctx) : null;
        var optimizer = Section("optimizer") is { } optNode ? OptimizerReader.Read(optNode, ctx) : null;
        var init = Section("init") is { } initNode ? ReadInit(initNode, ctx) : new InitSpec(0, top.Location);
        // Without quantisation no range is needed, and the samples may not exist yet (pretraining).
        var calibration = ctx.Options.ReadsQuantization ? CalibrationReader.Read(Section("calibration"), inputs, loss, layers, ctx) : null;

        if (inputs is null || loss is null || layers.Count == 0) return null;
        var resolved = NameResolver.Resolve(inputs, layers, loss, ctx);

        if (ctx.HasErrors || schema is null || name is null || batch is null
            || optimizer is null || init is null || resolved is null)
            return null;

        inputs = inputs.Select((input, i) => input with { IsTarget = i == loss.TargetIndex }).ToList();
        var specs = layers.Select(l => new LayerSpec(
            l.Index, l.Keyword, l.Name, resolved.Operands[l.Index], l.Trainable, l.Weights, l.Args, l.Location) { Int8 = l.Int8 }).ToList();
        var lossSpec = new LossSpec(loss.Kind, loss.Target, loss.TargetIndex, resolved.LossInput, loss.L2, loss.Args, loss.Location);
        var referenced = new List<string> { Path.GetFullPath(ctx.File) };
        referenced.AddRange(ctx.ReferencedFiles.Where(f => !referenced.Contains(f)).Distinct());

        return new ModelSpec(ctx.File, schema, name, inputs, batch, specs, resolved.Order, lossSpec, optimizer, init, referenced) { Calibration = calibration };
    }

    private static Located<NuGetVersion>? ReadSchema(YMapping top, ReadContext ctx)
    {
        var diags = ctx.Diags;
        if (top.Find("autodiff") is not { } entry)
        {
            diags.Error(ModelDiagnosticCodes.SchemaVersionMissing,
                $"the model has no schema version; start it with 'autodiff: {ModelSpec.SupportedSchemaMajor}'", top.Location);
            return null;
        }
        var node = entry.Value;
        if (node is not YScalar { IsNull: false } s || !NuGetVersion.TryParse(s.Value, out var version))
        {
            diags.Error(ModelDiagnosticCodes.SchemaVersionInvalid,
                $"'autodiff' must be a schema version such as {ModelSpec.SupportedSchemaMajor} or {ModelSpec.SupportedSchemaMajor}.0; got {node.Describe()}",
                node.Location);
            return null;
        }
        if (version.Major > ModelSpec.SupportedSchemaMajor)
        {
            diags.Error(ModelDiagnosticCodes.SchemaVersionUnsupported,
                $"model needs schema {version.Major}; this Autodiff.Sdk supports schema {ModelSpec.SupportedSchemaMajor} — update Autodiff.Sdk",
                node.Location);
            return null;
        }
        if (version.Major < ModelSpec.SupportedSchemaMajor)
        {
            diags.Error(ModelDiagnosticCodes.SchemaVersionUnsupported,
                $"schema {ModelNames.Printable(s.Value)} does not exist; this Autodiff.Sdk supports schema {ModelSpec.SupportedSchemaMajor}",
                node.Location);
            return null;
        }
        // Minor versions only add to the language; what this engine does not know is reported as unknown.
        if (version.Minor > 0 || version.Patch > 0)
            ctx.SchemaHint = $" (the model declares schema {version.ToNormalizedString()}; this Autodiff.Sdk reads schema {ModelSpec.SupportedSchemaMajor}.0 — a newer Autodiff.Sdk may support it)";
        return new(version, s.Location);
    }

    private static Located<string>? ReadName(YNode node, ReadContext ctx) =>
        ctx.Text(node, "'name'") is { } s && ModelNames.CheckModelName(s.Value, s.Location, ctx.Diags)
            ? new(s.Value, s.Location)
            : null;

    private static Located<int>? ReadBatch(YNode node, ReadContext ctx)
    {
        var args = new LayerArgs("model", [new("batch", ArgValue.From(node))]);
        return args.Int("batch", ctx.Diags, min: 1) is { } b ? new(b, node.Location) : null;
    }

    private static List<InputSpec>? ReadInputs(YNode node, int batch, ReadContext ctx)
    {
        if (ctx.Mapping(node, "'inputs'") is not { } map) return null;
        if (map.Entries.Count == 0)
        {
            ctx.Diags.Error(ModelDiagnosticCodes.EmptyList, "'inputs' is empty; declare at least one input, e.g. 'x: [784]'", map.Location);
            return null;
        }
        var inputs = new List<InputSpec>();
        var ok = true;
        foreach (var (key, value) in map.Entries)
        {
            var nameOk = ModelNames.Check(key.Value, "input name", key.Location, ctx.Diags);
            var shape = ShapeReader.Read(value, $"input '{ModelNames.Printable(key.Value)}'", batch, ctx);
            if (nameOk && shape is not null) inputs.Add(new InputSpec(key.Value, shape, false, key.Location));
            else ok = false;
        }
        return ok ? inputs : null;
    }

    private static InitSpec? ReadInit(YNode node, ReadContext ctx)
    {
        if (ctx.Mapping(node, "'init'") is not { } map) return null;
        var args = ctx.Args("init", map, ["seed"], []);
        if (!args.Has("seed")) return new InitSpec(0, map.Location);
        var value = args["seed"]!;
        var isInt = value.Kind == ArgValueKind.Scalar && value.IsPlain;
        long seed = 0;
        var parsed = isInt ? ScalarText.TryInt(value.Text!, out seed) : ScalarText.IntResult.NotInteger;
        if (parsed == ScalarText.IntResult.Ok && seed is >= 0 and <= uint.MaxValue)
            return new InitSpec((uint)seed, value.Location);
        ctx.Diags.Error(parsed == ScalarText.IntResult.NotInteger ? ModelDiagnosticCodes.WrongType : ModelDiagnosticCodes.OutOfRange,
            $"init 'seed' must be an integer in [0, {uint.MaxValue}]; got {value.Describe()}", value.Location);
        return null;
    }
}
