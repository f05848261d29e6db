using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Model;

namespace Autodiff.Engine.Tests.Model;

/// <summary>Helpers for tests that load model text held in the test itself.</summary>
internal static class ModelText
{
    public const string DisplayPath = "models/test.yaml";

    /// <summary>A valid model to splice layers, loss or optimizer into.</summary>
    public static string With(string layers, string loss = "loss: { mse: { target: y } }",
        string optimizer = "optimizer: { sgd: { lr: 0.01 } }", string inputs = "  x: [4]\n  y: [2]\n", string extra = "") =>
        $"autodiff: 1\nname: tiny\ninputs:\n{inputs}layers:\n{layers}{loss}\n{optimizer}\n{extra}";

    public static ModelSpec? Load(string text, out DiagnosticBag diags, string? baseDirectory = null)
    {
        diags = new DiagnosticBag();
        return ModelLoader.Load(text, DisplayPath, diags, baseDirectory);
    }

    public static ModelSpec LoadValid(string text, string? baseDirectory = null)
    {
        var spec = Load(text, out var diags, baseDirectory);
        Xunit.Assert.True(diags.Items.Count == 0, string.Join("\n", diags.Items));
        return spec!;
    }

    /// <summary>1-based line and column of the <paramref name="occurrence"/>-th match of <paramref name="needle"/>.</summary>
    public static (int Line, int Column) Pos(string text, string needle, int occurrence = 1)
    {
        var index = -1;
        for (var i = 0; i < occurrence; i++)
        {
            index = text.IndexOf(needle, index + 1, StringComparison.Ordinal);
            if (index < 0) throw new ArgumentException($"'{needle}' not found {occurrence} times");
        }
        var line = text[..index].Count(c => c == '\n') + 1;
        var lineStart = index == 0 ? 0 : text.LastIndexOf('\n', index - 1) + 1;
        return (line, index - lineStart + 1);
    }

    public static void AssertAt(SourceLocation? location, string text, string needle, int occurrence = 1)
    {
        Xunit.Assert.NotNull(location);
        var (line, column) = Pos(text, needle, occurrence);
        Xunit.Assert.Equal((line, column), (location!.Line, location.Column));
    }

    public static void AssertReports(DiagnosticBag diags, string code, string text, string needle, int occurrence = 1)
    {
        var (line, column) = Pos(text, needle, occurrence);
        Xunit.Assert.True(diags.Items.Any(d => d.Code == code && d.Location?.Line == line && d.Location?.Column == column),
            $"expected {code} at {line}:{column}; got:\n" + string.Join("\n", diags.Items));
    }
}
