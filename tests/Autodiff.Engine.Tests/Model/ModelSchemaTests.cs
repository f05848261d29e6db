using System.Text.Json;
using Autodiff.Engine.Model;
using Json.Schema;
using Xunit;

namespace Autodiff.Engine.Tests.Model;

/// <summary>
/// The JSON schema for editors: the copy the SDK package ships is the one the engine generates from
/// its catalog, every good model validates against it, and models whose form is wrong do not.
/// </summary>
public sealed class ModelSchemaTests
{
    /// <summary>Set to 1 to rewrite the shipped schema from the engine (after changing the catalog).</summary>
    private const string UpdateVariable = "AUTODIFF_UPDATE_SCHEMA";

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(ModelSchema.Json()));

    private static string ShippedPath => Path.Combine(RepositoryRoot, "sdk", "Autodiff.Sdk", "schema", ModelSchema.FileName);

    private static string RepositoryRoot =>
        typeof(ModelSchemaTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    [Fact]
    public void Shipped_schema_is_the_one_the_engine_generates()
    {
        var generated = ModelSchema.Json();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1") File.WriteAllText(ShippedPath, generated);

        Assert.True(File.Exists(ShippedPath) && File.ReadAllText(ShippedPath) == generated,
            $"{ShippedPath} is not what the engine generates; run `{UpdateVariable}=1 dotnet test tests/Autodiff.Engine.Tests --filter ModelSchemaTests` and commit it");
    }

    [Theory]
    [MemberData(nameof(GoodModels))]
    public void Good_model_validates_against_the_schema(string file)
    {
        var result = Validate(File.ReadAllText(Path.Combine(ModelFiles.Folder("good"), file)));

        Assert.True(result.IsValid, $"{file} does not validate:\n{Errors(result)}");
    }

    [Fact]
    public void Sample_and_template_models_validate_against_the_schema()
    {
        var models = new[] { "samples", "templates" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(RepositoryRoot, folder), "*.yaml", SearchOption.AllDirectories))
            .Where(f => f.Contains($"{Path.DirectorySeparatorChar}models{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(models);
        foreach (var model in models)
        {
            var result = Validate(File.ReadAllText(model));
            Assert.True(result.IsValid, $"{model} does not validate:\n{Errors(result)}");
        }
    }

    /// <summary>Bad models whose mistake is one of form, which the schema catches as the editor shows it.</summary>
    [Theory]
    [InlineData("layer_unknown_typo.yaml")]
    [InlineData("layer_missing_units.yaml")]
    [InlineData("layer_unknown_argument.yaml")]
    [InlineData("layer_two_keys.yaml")]
    [InlineData("loss_unknown.yaml")]
    [InlineData("loss_missing_target.yaml")]
    [InlineData("optimizer_unknown_argument.yaml")]
    [InlineData("choice_padding_full.yaml")]
    [InlineData("range_batch_zero.yaml")]
    [InlineData("range_adam_eps_zero.yaml")]
    [InlineData("missing_optimizer.yaml")]
    [InlineData("name_uppercase.yaml")]
    [InlineData("quantize_int4.yaml")]
    public void Bad_model_does_not_validate(string file)
    {
        var result = Validate(File.ReadAllText(Path.Combine(ModelFiles.Folder("bad"), file)));

        Assert.False(result.IsValid, $"{file} validates, but the engine rejects it");
    }

    public static IEnumerable<object[]> GoodModels() => ModelFiles.Yaml("good");

    private static EvaluationResults Validate(string yaml)
    {
        var json = YamlAsJson.Read(yaml);
        using var document = JsonDocument.Parse(json?.ToJsonString() ?? "null");
        return Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Errors(EvaluationResults result) =>
        string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));
}
