using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Autodiff.Engine.Boards;

/// <summary>
/// Checks a <c>board.yaml</c> against <c>board.schema.json</c> (shipped in the SDK's <c>schema/</c>
/// folder for editors, embedded here), so the schema users see is the one the engine enforces. It
/// covers the schema's vocabulary that the board schema uses: <c>type</c> (string, integer, boolean,
/// array, object), <c>enum</c>, <c>pattern</c>, <c>minimum</c>/<c>maximum</c>, <c>properties</c>,
/// <c>required</c>, <c>additionalProperties: false</c>, <c>items</c> and local <c>$ref</c>s. Rules that
/// relate keys to each other (cpu for Arm boards, name equal to the folder) stay in the reader.
/// </summary>
public static class BoardSchema
{
    /// <summary>The schema's text.</summary>
    public static string Text { get; } = ReadResource();

    private static readonly JsonElement Root = JsonDocument.Parse(Text).RootElement;

    /// <summary>The top-level keys a board.yaml may have, in the schema's order.</summary>
    public static IReadOnlyList<string> Keys { get; } = Root.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();

    /// <summary>Reports every place <paramref name="root"/> breaks the schema through <paramref name="fail"/>; true when none does.</summary>
    public static bool Validate(YamlMappingNode root, Action<YamlNode, string> fail)
    {
        var ok = true;
        void Fail(YamlNode node, string message)
        {
            ok = false;
            fail(node, message);
        }
        Check(root, Root, "board.yaml", Fail);
        return ok;
    }

    private static void Check(YamlNode node, JsonElement schema, string what, Action<YamlNode, string> fail)
    {
        schema = Resolve(schema);
        if (schema.TryGetProperty("enum", out var choices))
        {
            var allowed = choices.EnumerateArray().Select(c => c.GetString()!).ToList();
            if (node is not YamlScalarNode { Value: { } value } || !allowed.Contains(value))
                fail(node, $"'{what}' must be one of {string.Join(", ", allowed)}");
            return;
        }
        var types = !schema.TryGetProperty("type", out var type) ? []
            : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
        if (types.Contains("object"))
        {
            if (node is not YamlMappingNode mapping)
            {
                fail(node, $"'{what}' must be a mapping");
                return;
            }
            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            foreach (var (keyNode, value) in mapping.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? "";
                if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(key, out var sub))
                    Check(value, sub, what == "board.yaml" ? key : $"{what}.{key}", fail);
                else if (schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.False)
                    fail(keyNode, $"unknown key '{key}'{(what == "board.yaml" ? "" : $" in '{what}'")}; expected one of: " +
                                  string.Join(", ", properties.EnumerateObject().Select(x => x.Name)));
            }
            if (schema.TryGetProperty("required", out var required))
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                    if (!mapping.Children.ContainsKey(new YamlScalarNode(name)))
                        fail(node, $"missing '{(what == "board.yaml" ? name : $"{what}.{name}")}'");
            return;
        }
        if (types.Contains("array"))
        {
            if (node is not YamlSequenceNode sequence || !sequence.Children.All(c => c is YamlScalarNode))
                fail(node, $"'{what}' must be a list of text values");
            return;
        }
        if (node is not YamlScalarNode { Value: { } text } || (text.Trim().Length == 0 && !types.Contains("string")))
        {
            fail(node, $"'{what}' must be a {(types.Count == 0 ? "value" : string.Join(" or ", types))}");
            return;
        }
        text = text.Trim();
        var matchesType = types.Count == 0
            || (types.Contains("string") && text.Length > 0)
            || (types.Contains("integer") && long.TryParse(text, out _))
            || (types.Contains("boolean") && text is "true" or "false" or "yes" or "no");
        if (!matchesType)
            fail(node, types.Contains("boolean") ? $"'{what}' must be true or false" : $"'{what}' must be a non-empty {string.Join(" or ", types)}");
        else if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!))
            fail(node, $"'{what}' must be a byte count such as 131072, 0x20000, 128K or 1M");
        else if (long.TryParse(text, out var number) &&
                 ((schema.TryGetProperty("minimum", out var min) && number < min.GetInt64()) || (schema.TryGetProperty("maximum", out var max) && number > max.GetInt64())))
            fail(node, $"'{what}' must be between {(schema.TryGetProperty("minimum", out var lo) ? lo.GetInt64() : 0)} and {(schema.TryGetProperty("maximum", out var hi) ? hi.GetInt64().ToString() : "any")}");
    }

    /// <summary>Follows a local <c>$ref</c> (<c>#/$defs/size</c>), keeping the referring schema's other keywords out of it.</summary>
    private static JsonElement Resolve(JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            var target = Root;
            foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/')) target = target.GetProperty(part);
            schema = target;
        }
        return schema;
    }

    private static string ReadResource()
    {
        using var stream = typeof(BoardSchema).Assembly.GetManifestResourceStream("Autodiff.Engine.Boards.board.schema.json")
            ?? throw new InvalidOperationException("board.schema.json is not embedded in Autodiff.Engine");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
