using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Model;
using Xunit;

namespace Autodiff.Engine.Tests.Model;

/// <summary>
/// Data-driven checks over <c>Models/</c>: every bad model fails with the code and position its
/// first line announces, every good model loads without a single diagnostic, and nothing throws.
/// </summary>
public class ModelCorpusTests
{
    public static IEnumerable<object[]> BadModels => ModelFiles.Yaml("bad");
    public static IEnumerable<object[]> BadGraphModels => ModelFiles.Yaml("bad-graph");
    public static IEnumerable<object[]> GoodModelFiles => ModelFiles.Yaml("good");

    [Theory]
    [MemberData(nameof(BadModels))]
    public void Bad_model_reports_the_announced_code_at_the_announced_position(string file)
    {
        var path = Path.Combine(ModelFiles.Folder("bad"), file);
        var (code, line, column) = ModelFiles.Expectation(path);
        var diags = HostileAssert.LoadFails(path);

        Assert.True(
            diags.Items.Any(d => d.Code == code && d.Location is { } l && l.Line == line && l.Column == column && l.File == path),
            $"expected {code} at {line}:{column}; got:\n" + string.Join("\n", diags.Items));
    }

    [Theory]
    [MemberData(nameof(GoodModelFiles))]
    public void Good_model_loads_without_diagnostics(string file)
    {
        var diags = new DiagnosticBag();
        var spec = ModelLoader.Load(GoodModels.PathOf(file), diags);
        Assert.True(diags.Items.Count == 0, string.Join("\n", diags.Items));
        Assert.NotNull(spec);
    }

    /// <summary>
    /// bad-graph models are well-formed model files whose shapes do not fit together; the loader
    /// must accept them (the AD2xxx shape errors their headers announce come from lowering).
    /// </summary>
    [Theory]
    [MemberData(nameof(BadGraphModels))]
    public void Bad_graph_model_passes_the_loader(string file)
    {
        var path = BadGraphCorpus.PathOf(file);
        var (code, _, _) = ModelFiles.Expectation(path);
        Assert.StartsWith("AD2", code);
        var diags = new DiagnosticBag();
        Assert.NotNull(ModelLoader.Load(path, diags));
        Assert.True(diags.Items.Count == 0, string.Join("\n", diags.Items));
    }

    /// <summary>Through the whole compiler, each bad-graph model fails at the announced layer with the announced code.</summary>
    [Theory]
    [MemberData(nameof(BadGraphModels))]
    public void Bad_graph_model_reports_the_announced_code_at_the_announced_position(string file)
    {
        var path = BadGraphCorpus.PathOf(file);
        var (code, line, column) = ModelFiles.Expectation(path);
        var diags = new DiagnosticBag();

        var (training, plan) = ModelCompiler.Plan(path, diags);

        Assert.Null(training);
        Assert.Null(plan);
        HostileAssert.Printable(diags.Items);
        Assert.True(
            diags.Items.Any(d => d.Code == code && d.Location is { } l && l.Line == line && l.Column == column && l.File == path),
            $"expected {code} at {line}:{column}; got:\n" + string.Join("\n", diags.Items));
    }

    [Fact]
    public void Corpus_is_large_enough()
    {
        Assert.True(BadModels.Count() >= 45, $"only {BadModels.Count()} bad models");
        Assert.True(BadGraphModels.Count() >= 8, $"only {BadGraphModels.Count()} bad-graph models");
    }

    /// <summary>Each error code is exercised by a corpus file, except those only unit tests can reach.</summary>
    [Fact]
    public void Every_error_code_has_a_bad_model()
    {
        var coveredElsewhere = new HashSet<string>
        {
            ModelDiagnosticCodes.InternalError,      // needs a loader bug
            ModelDiagnosticCodes.DocumentTooLarge,   // a megabyte file: ModelLoaderLimitsTests
            ModelDiagnosticCodes.TooManyNodes,       // idem
            ModelDiagnosticCodes.FileUnreadable,     // missing model file / invalid UTF-8: ModelLoaderLimitsTests
            ModelDiagnosticCodes.NpyNonFinite,       // binary files: NpyReaderTests
            ModelDiagnosticCodes.NpyUnsupported,     // idem
            ModelDiagnosticCodes.TrainableWithoutParameters, // a warning
            ModelDiagnosticCodes.UnusedLayer,        // a warning
            ModelDiagnosticCodes.UnusedInput,        // a warning
        };
        var announced = BadModels
            .Select(f => ModelFiles.Expectation(Path.Combine(ModelFiles.Folder("bad"), (string)f[0])).Code)
            .ToHashSet();
        var missing = ModelDiagnosticCodes.Descriptions.Keys.Where(c => !announced.Contains(c) && !coveredElsewhere.Contains(c)).ToList();
        Assert.True(missing.Count == 0, "no bad model announces " + string.Join(", ", missing));
    }
}
