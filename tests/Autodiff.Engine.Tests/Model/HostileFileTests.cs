using System.Text;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Model;
using Xunit;

namespace Autodiff.Engine.Tests.Model;

/// <summary>
/// Input files that are not regular files, or not text: every one ends in a positioned error within
/// seconds, never a hang, an unbounded read or an internal error.
/// </summary>
public sealed class HostileFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "autodiff-hostile-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string MakeFifo(string name) => SpecialFiles.MakeFifo(Path.Combine(_dir, name));

    private string LinkTo(string name, string target)
    {
        var path = Path.Combine(_dir, name);
        File.CreateSymbolicLink(path, target);
        return path;
    }

    /// <summary>Loads with a deadline: a hang fails the test instead of stopping the suite.</summary>
    private static DiagnosticBag LoadWithin(string path, TimeSpan limit)
    {
        var diags = new DiagnosticBag();
        var load = Task.Run(() => ModelLoader.Load(path, diags));
        Assert.True(load.Wait(limit), $"loading {path} took longer than {limit}");
        Assert.Null(load.Result);
        Assert.DoesNotContain(diags.Items, d => d.Code == ModelDiagnosticCodes.InternalError);
        return diags;
    }

    [SkippableFact]
    public void A_model_file_that_is_a_fifo_fails_at_once_instead_of_waiting_for_a_writer()
    {
        Skip.If(OperatingSystem.IsWindows(), "FIFOs are a Unix file type");
        var diags = LoadWithin(MakeFifo("model.yaml"), TimeSpan.FromSeconds(10));
        Assert.True(diags.HasErrors);
        Assert.All(diags.Items.Where(d => d.IsError), d => Assert.NotNull(d.Location));
    }

    [SkippableFact]
    public void A_model_file_linked_to_dev_zero_fails_at_once_without_reading_it()
    {
        Skip.If(!File.Exists("/dev/zero"), "needs /dev/zero");
        var diags = LoadWithin(LinkTo("model.yaml", "/dev/zero"), TimeSpan.FromSeconds(10));
        Assert.True(diags.HasErrors);
    }

    [Fact]
    public void A_model_file_that_is_a_folder_is_an_unreadable_file()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "model.yaml")).FullName;
        var diags = LoadWithin(folder, TimeSpan.FromSeconds(10));
        var d = Assert.Single(diags.Items);
        Assert.Equal(ModelDiagnosticCodes.FileUnreadable, d.Code);
        Assert.Contains("folder", d.Message);
    }

    [Fact]
    public void A_byte_that_is_not_UTF_8_is_reported_at_its_line_and_column()
    {
        var path = Path.Combine(_dir, "latin1.yaml");
        var text = "autodiff: 1\nname: caf\u00e9_ok\n# \u00fcber ok\ninputs: { x: [4] }\n  # xyz";
        var bytes = Encoding.UTF8.GetBytes(text).ToList();
        // Line 5, after "  # x" (5 characters): a Latin-1 'é' (0xE9), which is not UTF-8 there.
        bytes.Insert(bytes.Count - 2, 0xE9);
        File.WriteAllBytes(path, bytes.ToArray());
        var diags = LoadWithin(path, TimeSpan.FromSeconds(10));
        var d = Assert.Single(diags.Items);
        Assert.Equal(ModelDiagnosticCodes.FileUnreadable, d.Code);
        Assert.Equal((5, 6), (d.Location!.Line, d.Location.Column));
        Assert.Contains("0xE9", d.Message);
    }

    [SkippableFact]
    public void Weights_that_are_a_fifo_or_dev_zero_fail_on_the_weights_line_within_seconds()
    {
        Skip.If(OperatingSystem.IsWindows() || !File.Exists("/dev/zero"), "FIFOs and /dev/zero are Unix files");
        foreach (var weights in new[] { MakeFifo("fifo.npy"), LinkTo("zero.npy", "/dev/zero") })
        {
            var model = Path.Combine(_dir, "m.yaml");
            File.WriteAllText(model, ModelText.With($"  - linear: {{ units: 2, name: fc, trainable: false, weights: {Path.GetFileName(weights)} }}\n"));
            var diags = LoadWithin(model, TimeSpan.FromSeconds(10));
            var d = Assert.Single(diags.Items, d => d.IsError);
            Assert.Equal(ModelDiagnosticCodes.NpyMalformed, d.Code);
            var line = File.ReadAllLines(model).ToList().FindIndex(l => l.Contains("weights:", StringComparison.Ordinal)) + 1;
            Assert.Equal(line, d.Location!.Line);
        }
    }
}
