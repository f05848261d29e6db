using System.Diagnostics;
using System.Text;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Model;
using Xunit;

namespace Autodiff.Engine.Tests.Model;

/// <summary>
/// What every hostile input must end in: a positioned ADnnnn error, found within seconds, in a
/// message a build log can carry safely (no raw control characters, a few hundred bytes at most).
/// </summary>
internal static class HostileAssert
{
    /// <summary>The longest message a diagnostic about hostile input may have, in UTF-8 bytes.</summary>
    public const int MaxMessageBytes = 500;

    /// <summary>How long loading one hostile model may take before the test calls it a hang.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>Every message and printed location is free of characters that could forge or hide log lines, and short.</summary>
    public static void Printable(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            var unsafeChar = d.Message.FirstOrDefault(MessageText.IsUnsafe);
            Assert.True(unsafeChar == default, $"{d.Code} message holds U+{(int)unsafeChar:X4}: {Escaped(d.Message)}");
            var bytes = Encoding.UTF8.GetByteCount(d.Message);
            Assert.True(bytes < MaxMessageBytes, $"{d.Code} message has {bytes} bytes: {Escaped(d.Message[..Math.Min(300, d.Message.Length)])}");
            var printed = d.ToString();
            Assert.DoesNotContain(printed, MessageText.IsUnsafe);
        }
    }

    /// <summary>
    /// Loads <paramref name="path"/> with a deadline and checks the outcome: no model, no internal
    /// error, every error positioned, every message printable.
    /// </summary>
    public static DiagnosticBag LoadFails(string path, LoadOptions? options = null)
    {
        var diags = new DiagnosticBag();
        var clock = Stopwatch.StartNew();
        var load = Task.Run(() => ModelLoader.Load(path, diags, options ?? LoadOptions.Default));
        Assert.True(load.Wait(Deadline), $"loading {Escaped(path)} took longer than {Deadline}");
        Assert.Null(load.Result);
        Checked(diags.Items, clock.Elapsed);
        return diags;
    }

    /// <summary>As <see cref="LoadFails(string, LoadOptions?)"/>, for model text held in the test.</summary>
    public static DiagnosticBag TextFails(string text, string? baseDirectory = null)
    {
        var diags = new DiagnosticBag();
        var clock = Stopwatch.StartNew();
        var load = Task.Run(() => ModelLoader.Load(text, ModelText.DisplayPath, diags, baseDirectory));
        Assert.True(load.Wait(Deadline), $"loading the text took longer than {Deadline}");
        Assert.Null(load.Result);
        Checked(diags.Items, clock.Elapsed);
        return diags;
    }

    /// <summary>The error with <paramref name="code"/> is at <paramref name="line"/>:<paramref name="column"/>.</summary>
    public static Diagnostic ErrorAt(DiagnosticBag diags, string code, int line, int column)
    {
        var found = diags.Items.FirstOrDefault(d => d.IsError && d.Code == code && d.Location is { } l && l.Line == line && l.Column == column);
        Assert.True(found is not null, $"expected {code} at {line}:{column}; got:\n" + string.Join("\n", diags.Items));
        return found!;
    }

    private static void Checked(IReadOnlyList<Diagnostic> items, TimeSpan elapsed)
    {
        Assert.True(items.Any(d => d.IsError), "no error reported");
        Assert.DoesNotContain(items, d => d.Code == ModelDiagnosticCodes.InternalError);
        Assert.All(items.Where(d => d.IsError), d => Assert.True(d.Location is { Line: >= 1, Column: >= 1 }, d.ToString()));
        Assert.True(elapsed < Deadline, $"took {elapsed}");
        Printable(items);
    }

    private static string Escaped(string text) => MessageText.Printable(text, 300);
}
