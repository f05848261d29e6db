using System.Text.Json;
using System.Text.Json.Nodes;

namespace Autodiff.Engine.Model;

/// <summary>
/// The JSON schema (draft-07) of the model language, for editors: YAML language servers check a
/// model against it as it is typed and complete keywords and arguments. It is generated from the
/// catalogs the loader itself reads by (<see cref="LayerCatalog"/>, the loss and optimizer keywords,
/// the readers' lists of keys), so a layer or argument added to the engine is in the schema too. The
/// loader stays the authority: the schema checks forms (keys, types, ranges), not what needs the
/// whole model (names that resolve, shapes that fit).
/// </summary>
public static class ModelSchema
{
    /// <summary>The schema's file name in the SDK package (<c>schema/</c>) and beside a project's <c>obj/</c>.</summary>
    public const string FileName = "autodiff-model.schema.json";

    /// <summary>
    /// The type of every argument of a loss, optimizer or schedule, by name: the readers check these
    /// in code, so they are stated here once. A name the readers list without an entry here fails
    /// <see cref="Json"/>, so the two cannot drift apart unnoticed.
    /// </summary>
    private static readonly Dictionary<string, Func<JsonObject>> NamedArguments = new()
    {
        ["target"] = () => Name("the input holding the targets"),
        ["in"] = () => Name("the layer whose output the loss reads (default: the last)"),
        ["l2"] = () => Number("L2 penalty on the weights, ≥ 0", minimum: 0),
        ["lr"] = () => Number("learning rate, > 0", exclusiveMinimum: 0),
        ["momentum"] = () => Number("momentum in [0, 1)", minimum: 0, exclusiveMaximum: 1),
        ["dampening"] = () => Number("dampening in [0, 1]", minimum: 0, maximum: 1),
        ["nesterov"] = () => Bool("Nesterov momentum (needs momentum > 0 and dampening 0)"),
        ["weight_decay"] = () => Number("weight decay, ≥ 0", minimum: 0),
        ["betas"] = () => new JsonObject
        {
            ["description"] = "Adam's two decay rates, each in [0, 1)",
            ["type"] = "array",
            ["items"] = Number(null, minimum: 0, exclusiveMaximum: 1),
            ["minItems"] = 2,
            ["maxItems"] = 2,
        },
        ["eps"] = () => Number("term added to the denominator, > 0", exclusiveMinimum: 0),
        ["alpha"] = () => Number("RMSprop's smoothing constant in [0, 1)", minimum: 0, exclusiveMaximum: 1),
        ["step_size"] = () => Integer("steps between decays, ≥ 1", minimum: 1),
        ["gamma"] = () => Number("decay factor, > 0", exclusiveMinimum: 0),
        ["t_max"] = () => Integer("steps of one cosine half-period, ≥ 1", minimum: 1),
        ["eta_min"] = () => Number("lowest learning rate, ≥ 0", minimum: 0),
    };

    /// <summary>The schema as indented JSON text with a final newline.</summary>
    public static string Json()
    {
        var definitions = new JsonObject
        {
            ["name"] = Name("a name: lowercase letters, digits and '_', starting with a letter"),
            ["shape"] = Shape("per-sample dimensions (the batch is not written)", minimum: 1),
            ["layer"] = Layer(),
            ["loss"] = Keyed("the loss: one keyword with its arguments, e.g. { nll: { target: y } }",
                LossSpec.Keywords.Keys.ToDictionary(k => k, _ => Arguments(LossReader.Known, ["target"], allowNull: false))),
            ["optimizer"] = Keyed("the optimizer: one keyword with its arguments, e.g. { adam: { lr: 0.001 } }",
                OptimizerSpec.Keywords.ToDictionary(k => k.Key, k => Optimizer(OptimizerReader.Known[k.Value]))),
            ["schedule"] = Keyed("a learning-rate schedule: one keyword with its arguments",
                OptimizerReader.ScheduleArgs.ToDictionary(k => k.Key, k => Arguments(k.Value, [OptimizerReader.ScheduleRequired[k.Key]], allowNull: false))),
        };
        foreach (var keyword in LayerCatalog.Keywords.Order(StringComparer.Ordinal))
            definitions["layer_" + keyword] = LayerArguments(LayerCatalog.Find(keyword)!);

        var properties = new JsonObject
        {
            ["autodiff"] = new JsonObject
            {
                ["description"] = $"the schema version of the model language: {ModelSpec.SupportedSchemaMajor} (or {ModelSpec.SupportedSchemaMajor}.x)",
                ["anyOf"] = new JsonArray(
                    new JsonObject { ["type"] = "number", ["minimum"] = ModelSpec.SupportedSchemaMajor, ["exclusiveMaximum"] = ModelSpec.SupportedSchemaMajor + 1 },
                    new JsonObject { ["type"] = "string", ["pattern"] = $"^{ModelSpec.SupportedSchemaMajor}(\\.[0-9]+){{0,2}}$" }),
            },
            ["name"] = Ref("name", "the model's name: its C prefix and header NAME.h"),
            ["inputs"] = new JsonObject
            {
                ["description"] = "the inputs and the target, each with its per-sample shape, e.g. x: [784]",
                ["type"] = "object",
                ["minProperties"] = 1,
                ["propertyNames"] = Ref("name", null),
                ["additionalProperties"] = Ref("shape", null),
            },
            ["batch"] = Integer("samples per training step, ≥ 1 (default 1)", minimum: 1),
            ["layers"] = new JsonObject
            {
                ["description"] = "the layers, in order; each reads the one before unless 'in' says otherwise",
                ["type"] = "array",
                ["minItems"] = 1,
                ["items"] = Ref("layer", null),
            },
            ["loss"] = Ref("loss", null),
            ["optimizer"] = Ref("optimizer", null),
            ["init"] = new JsonObject
            {
                ["description"] = "initialisation of the trainable parameters",
                ["type"] = "object",
                ["properties"] = new JsonObject { ["seed"] = Integer("seed of the initial values", minimum: 0, maximum: uint.MaxValue) },
                ["additionalProperties"] = false,
            },
            ["calibration"] = new JsonObject
            {
                ["description"] = "a .npy file of input samples [N, ...input shape] that sets the int8 ranges of 'quantize: int8' layers",
                ["type"] = "string",
                ["pattern"] = "\\.[nN][pP][yY]$",
            },
        };
        var missing = ModelReader.TopLevelKeys.Where(k => !properties.ContainsKey(k)).ToList();
        if (missing.Count > 0) throw new InvalidOperationException("the schema has no entry for the top-level keys " + string.Join(", ", missing));

        var schema = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["title"] = $"Autodiff model (schema {ModelSpec.SupportedSchemaMajor})",
            ["description"] = "A neural network that Autodiff.Sdk compiles to C that trains on a microcontroller. " +
                              "Generated from the engine's catalog; the build's checks remain the authority.",
            ["type"] = "object",
            ["required"] = Strings(ModelReader.RequiredKeys.Prepend("autodiff")),
            ["properties"] = properties,
            ["additionalProperties"] = false,
            ["definitions"] = definitions,
        };
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    /// <summary>A layer is its keyword alone (when nothing is required) or a one-key mapping of keyword to arguments.</summary>
    private static JsonObject Layer()
    {
        var kinds = LayerCatalog.Keywords.Order(StringComparer.Ordinal).Select(k => LayerCatalog.Find(k)!).ToList();
        var keyed = new JsonObject();
        foreach (var kind in kinds)
        {
            var reference = Ref("layer_" + kind.Keyword, null);
            keyed[kind.Keyword] = kind.Args.Any(a => a.Required)
                ? reference
                : new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "null" }, reference) };
        }
        return new JsonObject
        {
            ["description"] = "a layer: a keyword such as relu, or a keyword with its arguments, e.g. linear: { units: 32 }",
            ["anyOf"] = new JsonArray(
                new JsonObject { ["type"] = "string", ["enum"] = Strings(kinds.Where(k => !k.Args.Any(a => a.Required)).Select(k => k.Keyword)) },
                new JsonObject
                {
                    ["type"] = "object",
                    ["minProperties"] = 1,
                    ["maxProperties"] = 1,
                    ["properties"] = keyed,
                    ["additionalProperties"] = false,
                }),
        };
    }

    private static JsonObject LayerArguments(LayerKind kind)
    {
        var properties = new JsonObject();
        foreach (var rule in kind.Args) properties[rule.Name] = Argument(rule);
        properties["name"] = Ref("name", "the layer's name, by which other layers' 'in' and the loss refer to its output");
        properties["in"] = new JsonObject
        {
            ["description"] = "the input(s) or layer(s) this layer reads, by name (default: the layer before)",
            ["anyOf"] = new JsonArray(Ref("name", null), new JsonObject { ["type"] = "array", ["items"] = Ref("name", null), ["minItems"] = 1 }),
        };
        properties["trainable"] = Bool("false freezes the layer's parameters (default true)");
        properties["weights"] = new JsonObject { ["description"] = "a .npy file or a folder of .npy files with the layer's parameters", ["type"] = "string" };
        properties["quantize"] = new JsonObject
        {
            ["description"] = $"int8 runs this frozen layer in int8 ({string.Join(", ", Quantization.Keywords)})",
            ["enum"] = Strings([Quantization.Int8, "none"]),
        };
        var unknownCommon = LayerCatalog.CommonKeys.Where(k => !properties.ContainsKey(k)).ToList();
        if (unknownCommon.Count > 0) throw new InvalidOperationException("the schema has no entry for the layer keys " + string.Join(", ", unknownCommon));

        var schema = new JsonObject
        {
            ["description"] = kind.Keyword + (kind.HasParameters ? " (has parameters)" : ""),
            ["type"] = "object",
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
        var required = kind.Args.Where(a => a.Required).Select(a => a.Name).ToList();
        if (required.Count > 0) schema["required"] = Strings(required);
        return schema;
    }

    private static JsonObject Argument(ArgRule rule)
    {
        var description = LayerCatalog.Describe(rule.Kind) + (rule.Default is { } d ? $" (default {d})" : "");
        var ints = new JsonObject { ["type"] = "integer" };
        return rule.Kind switch
        {
            ArgKind.PositiveInt => Integer(description, minimum: 1),
            ArgKind.Int => Integer(description),
            ArgKind.Bool => Bool(description),
            ArgKind.Float => Number(description),
            ArgKind.Probability => Number(description, minimum: 0, exclusiveMaximum: 1),
            ArgKind.Window => new JsonObject
            {
                ["description"] = description,
                ["anyOf"] = new JsonArray(Integer(null, minimum: 1),
                    new JsonObject { ["type"] = "array", ["items"] = Integer(null, minimum: 1), ["minItems"] = 2, ["maxItems"] = 2 }),
            },
            ArgKind.Padding => new JsonObject { ["description"] = description, ["enum"] = Strings(["valid", "same"]) },
            ArgKind.Axes => new JsonObject
            {
                ["description"] = description,
                ["anyOf"] = new JsonArray(ints,
                    new JsonObject { ["type"] = "array", ["items"] = Integer(null), ["maxItems"] = LayerCatalog.MaxRank, ["uniqueItems"] = true }),
            },
            ArgKind.Shape => Shape(description, minimum: 1),
            ArgKind.ReshapeShape => new JsonObject
            {
                ["description"] = description + ", one of which may be -1 (inferred)",
                ["type"] = "array",
                ["items"] = new JsonObject { ["type"] = "integer", ["minimum"] = -1, ["not"] = new JsonObject { ["const"] = 0 } },
                ["minItems"] = 1,
                ["maxItems"] = LayerCatalog.MaxRank,
            },
            ArgKind.Permutation => new JsonObject
            {
                ["description"] = description,
                ["type"] = "array",
                ["items"] = Integer(null, minimum: 0, maximum: LayerCatalog.MaxRank - 1),
                ["minItems"] = 1,
                ["maxItems"] = LayerCatalog.MaxRank,
                ["uniqueItems"] = true,
            },
            _ => throw new InvalidOperationException($"the schema has no form for {rule.Kind}"),
        };
    }

    private static JsonObject Optimizer(IReadOnlyList<string> known)
    {
        var arguments = Arguments(known, [], allowNull: true);
        var properties = (JsonObject)((JsonArray)arguments["anyOf"]!)[1]!["properties"]!;
        properties["schedule"] = Ref("schedule", null);
        return arguments;
    }

    /// <summary>An object of named arguments (types from <see cref="NamedArguments"/>), or null when all are optional.</summary>
    private static JsonObject Arguments(IEnumerable<string> names, IReadOnlyList<string> required, bool allowNull)
    {
        var properties = new JsonObject();
        foreach (var name in names)
        {
            if (!NamedArguments.TryGetValue(name, out var make)) throw new InvalidOperationException($"the schema has no type for the argument '{name}'");
            properties[name] = make();
        }
        var map = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        if (required.Count > 0) map["required"] = Strings(required);
        return allowNull ? new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "null" }, map) } : map;
    }

    /// <summary>Exactly one of <paramref name="choices"/> as the only key.</summary>
    private static JsonObject Keyed(string description, Dictionary<string, JsonObject> choices)
    {
        var properties = new JsonObject();
        foreach (var (key, value) in choices.OrderBy(c => c.Key, StringComparer.Ordinal)) properties[key] = value;
        return new JsonObject
        {
            ["description"] = description,
            ["type"] = "object",
            ["minProperties"] = 1,
            ["maxProperties"] = 1,
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
    }

    private static JsonObject Shape(string description, int minimum) => new()
    {
        ["description"] = description,
        ["type"] = "array",
        ["items"] = Integer(null, minimum: minimum),
        ["minItems"] = 1,
        ["maxItems"] = LayerCatalog.MaxRank,
    };

    private static JsonObject Name(string description) => new()
    {
        ["description"] = description,
        ["type"] = "string",
        ["pattern"] = ModelNames.IdentifierRegex,
        ["maxLength"] = ModelNames.MaxLength,
    };

    private static JsonObject Ref(string definition, string? description)
    {
        var reference = new JsonObject { ["$ref"] = "#/definitions/" + definition };
        // draft-07 ignores a description beside $ref; wrapping keeps it for the editor's hover.
        return description is null ? reference : new JsonObject { ["description"] = description, ["allOf"] = new JsonArray(reference) };
    }

    private static JsonObject Bool(string? description) => With(description, new JsonObject { ["type"] = "boolean" });

    private static JsonObject Integer(string? description, long? minimum = null, long? maximum = null)
    {
        var schema = With(description, new JsonObject { ["type"] = "integer" });
        if (minimum is { } min) schema["minimum"] = min;
        if (maximum is { } max) schema["maximum"] = max;
        return schema;
    }

    private static JsonObject Number(string? description, double? minimum = null, double? maximum = null,
        double? exclusiveMinimum = null, double? exclusiveMaximum = null)
    {
        var schema = With(description, new JsonObject { ["type"] = "number" });
        if (minimum is { } min) schema["minimum"] = min;
        if (maximum is { } max) schema["maximum"] = max;
        if (exclusiveMinimum is { } emin) schema["exclusiveMinimum"] = emin;
        if (exclusiveMaximum is { } emax) schema["exclusiveMaximum"] = emax;
        return schema;
    }

    private static JsonObject With(string? description, JsonObject schema)
    {
        if (description is null) return schema;
        var described = new JsonObject { ["description"] = description };
        foreach (var (key, value) in schema.ToList())
        {
            schema.Remove(key);
            described[key] = value;
        }
        return described;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
}
