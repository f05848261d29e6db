using System.Text;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Model;
using Xunit;
using static Autodiff.Engine.Tests.Model.ModelText;

namespace Autodiff.Engine.Tests.Model;

/// <summary>Hostile and broken inputs: limits hold, and the loader never throws.</summary>
public class ModelLoaderRobustnessTests
{
    [Fact]
    public void An_oversized_document_is_refused_before_parsing()
    {
        var text = "autodiff: 1\n#" + new string('x', YamlTreeReader.MaxDocumentChars) + "\n";
        Load(text, out var diags);
        var d = Assert.Single(diags.Items);
        Assert.Equal((ModelDiagnosticCodes.DocumentTooLarge, 1, 1), (d.Code, d.Location!.Line, d.Location.Column));
    }

    [Fact]
    public void An_oversized_file_is_refused_without_reading_it()
    {
        var path = Path.Combine(Path.GetTempPath(), "autodiff-huge-" + Guid.NewGuid().ToString("N") + ".yaml");
        try
        {
            using (var f = File.Create(path)) f.SetLength(8L * YamlTreeReader.MaxDocumentChars);
            var diags = new DiagnosticBag();
            Assert.Null(ModelLoader.Load(path, diags));
            Assert.Equal(ModelDiagnosticCodes.DocumentTooLarge, Assert.Single(diags.Items).Code);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Too_many_nodes_are_refused()
    {
        var items = string.Join(", ", Enumerable.Repeat("1", YamlTreeReader.MaxNodes + 10));
        var text = With("  - reshape: { shape: [" + items + "] }\n");
        Load(text, out var diags);
        Assert.Contains(diags.Items, d => d.Code == ModelDiagnosticCodes.TooManyNodes);
        Assert.DoesNotContain(diags.Items, d => d.Code == ModelDiagnosticCodes.InternalError);
    }

    [Fact]
    public void Very_deep_nesting_stops_at_the_limit_without_exhausting_the_stack()
    {
        var text = "autodiff: 1\nname: deep\nx: " + new string('[', 200_000) + new string(']', 200_000) + "\n";
        Load(text, out var diags);
        var d = Assert.Single(diags.Items);
        Assert.Equal(ModelDiagnosticCodes.NestingTooDeep, d.Code);
        Assert.Equal((3, 4 + YamlTreeReader.MaxDepth - 1), (d.Location!.Line, d.Location.Column));
    }

    [Fact]
    public void A_large_alias_bomb_is_refused_at_its_first_alias()
    {
        var sb = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 30; i++)
            sb.Append($"a{i}: &a{i} [" + string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10)) + "]\n");
        var text = sb.ToString();
        Load(text, out var diags);
        var d = Assert.Single(diags.Items);
        Assert.Equal(ModelDiagnosticCodes.AliasNotAllowed, d.Code);
        Assert.Equal((2, 10), (d.Location!.Line, d.Location.Column));
    }

    [Fact]
    public void A_missing_model_file_is_a_diagnostic()
    {
        var path = Path.Combine(Path.GetTempPath(), "autodiff-no-such-model.yaml");
        var diags = new DiagnosticBag();
        Assert.Null(ModelLoader.Load(path, diags));
        var d = Assert.Single(diags.Items);
        Assert.Equal((ModelDiagnosticCodes.FileUnreadable, path, 1, 1), (d.Code, d.Location!.File, d.Location.Line, d.Location.Column));
    }

    [Fact]
    public void A_model_file_that_is_not_utf8_is_a_diagnostic()
    {
        var path = Path.Combine(Path.GetTempPath(), "autodiff-latin1-" + Guid.NewGuid().ToString("N") + ".yaml");
        try
        {
            File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes("autodiff: 1\nname: caf"), 0xE9, (byte)'\n']);
            var diags = new DiagnosticBag();
            Assert.Null(ModelLoader.Load(path, diags));
            Assert.Equal(ModelDiagnosticCodes.FileUnreadable, Assert.Single(diags.Items).Code);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("\0")]
    [InlineData("---\n...\n")]
    [InlineData("[")]
    [InlineData("{")]
    [InlineData("? ")]
    [InlineData("- - -")]
    [InlineData("autodiff")]
    [InlineData("autodiff: 1\nlayers: [ relu,")]
    [InlineData("autodiff: 1\nname: \"\\x00\"")]
    [InlineData("autodiff: 1\n\tname: x")]
    [InlineData("%YAML 1.1\n---\nautodiff: 1")]
    [InlineData("%TAG ! tag:evil.example,2024:\n---\nautodiff: !x 1")]
    [InlineData("autodiff: |\n  1\n")]
    [InlineData("&a autodiff: 1")]
    public void Degenerate_documents_never_throw(string text)
    {
        var spec = Load(text, out var diags);
        Assert.Null(spec);
        Assert.NotEmpty(diags.Items);
        Assert.DoesNotContain(diags.Items, d => d.Code == ModelDiagnosticCodes.InternalError);
        Assert.All(diags.Items, d => Assert.NotNull(d.Location));
    }

    /// <summary>
    /// Every prefix of every good model, and seeded random corruptions of them, load without an
    /// exception or an internal error: whatever the damage, the user gets a positioned diagnostic.
    /// </summary>
    [Fact]
    public void Truncated_and_corrupted_models_never_throw_or_fail_internally()
    {
        var random = new Random(20240611);
        const string alphabet = " \n\t:-[]{},#&*!|>'\"%@`?0123456789abcxyz_.\\\u00e9\u2028";
        // In name order: the random stream must meet the files in the same order on every machine.
        foreach (var file in Directory.EnumerateFiles(GoodModels.Folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            for (var cut = 0; cut < text.Length; cut += 3)
                Check(text[..cut], file);
            for (var i = 0; i < 300; i++)
            {
                var chars = text.ToCharArray();
                for (var k = random.Next(1, 4); k > 0; k--)
                    chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
                Check(new string(chars), file);
            }
        }

        static void Check(string text, string file)
        {
            var diags = new DiagnosticBag();
            ModelLoader.Load(text, file, diags);
            var internalError = diags.Items.FirstOrDefault(d => d.Code == ModelDiagnosticCodes.InternalError);
            Assert.True(internalError is null, $"{internalError}\n--- input ---\n{text}");
            Assert.All(diags.Items, d => Assert.True(d.Location is { Line: >= 1, Column: >= 1 }, d.ToString()));
        }
    }
}
