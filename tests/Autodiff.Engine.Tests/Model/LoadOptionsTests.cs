using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Model;
using Autodiff.Engine.Tests.CodeGen;
using Xunit;

namespace Autodiff.Engine.Tests.Model;

/// <summary>
/// <see cref="LoadOptions"/>: one model file for pretraining (TrainAll: every layer trainable, and
/// weights:, quantize: and calibration: ignored before their files exist), the int8 device model,
/// and its float comparison (Quantize false); and the host helper that writes the pretrained
/// parameters in the weights-folder layout the loader then reads.
/// </summary>
public class LoadOptionsTests
{
    /// <summary>A device model: a frozen int8 backbone with pretrained weights and calibration, a head that trains.</summary>
    private const string Device = """
        autodiff: 1
        name: transfer_test
        inputs:
          x: [6]
          y: [3]
        calibration: pretrained/calibration.npy
        layers:
          - linear: { units: 8, name: embed, trainable: false, weights: pretrained, quantize: int8 }
          - relu: { quantize: int8, name: features }
          - linear: { units: 3, name: head }
        loss: { cross_entropy: { target: y } }
        optimizer: { sgd: { lr: 0.1 } }
        """;

    private static readonly string BoardsDirectory = Path.Combine(NativeRun.RepositoryRoot, "sdk", "Autodiff.Sdk", "boards");

    [Fact]
    public void As_written_the_missing_weights_and_calibration_are_errors()
    {
        using var dir = new TempFolder();
        var diags = new DiagnosticBag();
        Assert.Null(ModelLoader.Load(dir.Write("model.yaml", Device), diags));
        Assert.Contains(diags.Items, d => d.Code == ModelDiagnosticCodes.WeightsMissing);
    }

    [Fact]
    public void TrainAll_trains_every_layer_and_reads_no_weights_quantize_or_calibration()
    {
        using var dir = new TempFolder();
        var diags = new DiagnosticBag();
        var spec = ModelLoader.Load(dir.Write("model.yaml", Device), diags, new LoadOptions { TrainAll = true });
        Assert.True(spec is not null, string.Join("\n", diags.Items));
        Assert.Empty(diags.Items);
        Assert.All(spec!.Layers, l => Assert.True(l.Trainable));
        Assert.All(spec.Layers, l => Assert.Null(l.Weights));
        Assert.All(spec.Layers, l => Assert.False(l.IsInt8));
        Assert.Null(spec.Calibration);
        Assert.Equal([Path.GetFullPath(dir.PathOf("model.yaml"))], spec.ReferencedFiles);
    }

    [Fact]
    public void Quantize_false_keeps_frozen_float_layers_with_their_weights_and_reads_no_calibration()
    {
        using var dir = new TempFolder();
        WritePretrained(dir, calibration: false);
        var diags = new DiagnosticBag();
        var spec = ModelLoader.Load(dir.Write("model.yaml", Device), diags, new LoadOptions { Quantize = false });
        Assert.True(spec is not null, string.Join("\n", diags.Items));
        var embed = spec!.FindLayer("embed")!;
        Assert.False(embed.Trainable);
        Assert.NotNull(embed.Weights);
        Assert.False(embed.IsInt8);
        Assert.Null(spec.Calibration);
        Assert.DoesNotContain(spec.ReferencedFiles, f => f.EndsWith("calibration.npy", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_file_with_its_files_present_is_int8()
    {
        using var dir = new TempFolder();
        WritePretrained(dir, calibration: true);
        var diags = new DiagnosticBag();
        var spec = ModelLoader.Load(dir.Write("model.yaml", Device), diags);
        Assert.True(spec is not null, string.Join("\n", diags.Items));
        Assert.True(spec!.FindLayer("embed")!.IsInt8);
        Assert.NotNull(spec.Calibration);
    }

    [Fact]
    public void Only_host_builds_get_save_parameters_and_the_npy_writer()
    {
        using var dir = new TempFolder();
        var model = dir.Write("model.yaml", Device);
        var load = new LoadOptions { TrainAll = true };
        var host = ModelCompiler.Compile(new CompileRequest(model, Board("host")) { LoadOptions = load });
        Assert.True(host.Succeeded, string.Join("\n", host.Diagnostics));
        Assert.Contains("int transfer_test_save_parameters(const char *folder);", File(host, "transfer_test.h"));
        Assert.Contains("portable/npy.c", host.KernelSources);

        var arm = ModelCompiler.Compile(new CompileRequest(model, Board("stm32f4"), KernelChoice.Portable) { LoadOptions = load });
        Assert.True(arm.Succeeded, string.Join("\n", arm.Diagnostics));
        Assert.DoesNotContain("save_parameters", File(arm, "transfer_test.h") + File(arm, "transfer_test.c"));
        Assert.DoesNotContain("autodiff_npy", File(arm, "transfer_test.c"));
        Assert.DoesNotContain("portable/npy.c", arm.KernelSources);
    }

    /// <summary>
    /// The whole hand-over natively: the model compiled for the host with TrainAll, its parameters
    /// written by the generated NAME_save_parameters and a calibration array by ad_write_npy; the
    /// same file then loads as written, frozen and int8, and its frozen float form holds exactly the
    /// values the host wrote (here the seeded initial ones, since nothing trained).
    /// </summary>
    [Fact]
    public void Parameters_saved_on_the_host_are_the_weights_folder_the_device_model_reads()
    {
        using var dir = new TempFolder();
        var model = dir.Write("model.yaml", Device);
        var host = ModelCompiler.Compile(new CompileRequest(model, Board("host")) { LoadOptions = new LoadOptions { TrainAll = true } });
        Assert.True(host.Succeeded, string.Join("\n", host.Diagnostics));
        foreach (var file in host.Files.Where(f => f.RelativePath.EndsWith(".c", StringComparison.Ordinal) || f.RelativePath.EndsWith(".h", StringComparison.Ordinal)))
            System.IO.File.WriteAllText(dir.PathOf(file.RelativePath), file.Content);
        dir.Write("main.c", """
            #include <stdio.h>
            #include "autodiff_npy.h"
            #include "transfer_test.h"
            int main(void)
            {
                static float samples[5 * 6];
                const uint32_t shape[2] = { 5u, 6u };
                int i;
                for (i = 0; i < 30; i++) samples[i] = (float)i / 10.0f - 1.0f;
                transfer_test_init();
                if (transfer_test_save_parameters("pretrained") != 0) { perror("save"); return 1; }
                return ad_write_npy("pretrained/calibration.npy", samples, shape, 2u) == 0 ? 0 : 2;
            }
            """);
        Directory.CreateDirectory(dir.PathOf("pretrained"));
        var kernels = Path.Combine(NativeRun.RepositoryRoot, "kernels");
        var sources = host.KernelSources.Select(s => Path.Combine(kernels, s)).Prepend("transfer_test.c").Prepend("main.c");
        NativeRun.Exec("gcc", [.. NativeRun.StrictFlags, "-I", Path.Combine(kernels, "portable"), "-I", dir.Path, .. sources, "-o", "pretrain", "-lm"], dir.Path);
        NativeRun.Exec(dir.PathOf("pretrain"), [], dir.Path);

        var written = Directory.GetFiles(dir.PathOf("pretrained")).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["calibration.npy", "embed.bias.npy", "embed.weight.npy", "head.bias.npy", "head.weight.npy"], written);

        var diags = new DiagnosticBag();
        Assert.NotNull(ModelLoader.Load(model, diags));
        Assert.DoesNotContain(diags.Items, d => d.IsError);
        var (floatModel, _) = ModelCompiler.Plan(model, diags, load: new LoadOptions { Quantize = false });
        var (pretrained, _) = ModelCompiler.Plan(model, diags, load: new LoadOptions { TrainAll = true });
        Assert.DoesNotContain(diags.Items, d => d.IsError);
        var frozen = floatModel!.Graph.FrozenParameters.ToDictionary(t => t.Name);
        foreach (var p in pretrained!.Graph.Parameters.Where(p => p.Name.StartsWith("embed.", StringComparison.Ordinal)))
            Assert.Equal(p.InitialValue, frozen[p.Name].InitialValue);
    }

    private static BoardSpec Board(string name) =>
        BoardCatalog.Load(BoardsDirectory, name, new DiagnosticBag()) ?? throw new InvalidOperationException($"board {name}");

    private static string File(CompileResult result, string name) => result.Files.Single(f => f.RelativePath == name).Content;

    /// <summary>pretrained/embed.weight.npy and .bias.npy (and calibration.npy), shaped for <see cref="Device"/>.</summary>
    private static void WritePretrained(TempFolder dir, bool calibration)
    {
        Directory.CreateDirectory(dir.PathOf("pretrained"));
        System.IO.File.WriteAllBytes(dir.PathOf("pretrained/embed.weight.npy"), NpyBytes.Float32([8, 6], Enumerable.Range(0, 48).Select(i => (i % 7 - 3) / 10f).ToArray()));
        System.IO.File.WriteAllBytes(dir.PathOf("pretrained/embed.bias.npy"), NpyBytes.Float32([8], Enumerable.Range(0, 8).Select(i => i / 100f).ToArray()));
        if (calibration)
            System.IO.File.WriteAllBytes(dir.PathOf("pretrained/calibration.npy"), NpyBytes.Float32([4, 6], Enumerable.Range(0, 24).Select(i => (i % 5 - 2) / 2f).ToArray()));
    }

    /// <summary>A temporary folder, deleted afterwards.</summary>
    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("autodiff-load-options-").FullName;
        public string PathOf(string relative) => System.IO.Path.Combine(Path, relative);

        public string Write(string relative, string text)
        {
            System.IO.File.WriteAllText(PathOf(relative), text);
            return PathOf(relative);
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
