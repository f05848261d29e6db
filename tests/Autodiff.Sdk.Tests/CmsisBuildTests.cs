using System.Text.RegularExpressions;
using Autodiff.Engine.CodeGen;
using Xunit.Abstractions;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// Kernel selection in the SDK: which kernels firmware gets with and without CMSIS, and that firmware built
/// on CMSIS kernels compiles only the CMSIS sources it needs and rebuilds incrementally.
/// The tests without CMSIS remove the CMSIS variables from the build's environment. The tests with
/// CMSIS need <c>CMSIS_DSP_ROOT</c> (and <c>CMSIS_NN_ROOT</c>; the Core headers are found beside the
/// DSP checkout or through <c>CMSIS_CORE_ROOT</c>), and without them are reported as skipped.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class CmsisBuildTests(SdkPackageFixture sdk)
{
    private static readonly IReadOnlyDictionary<string, string?> WithoutCmsis = new Dictionary<string, string?>
    {
        [CmsisRoots.DspVariable] = null,
        [CmsisRoots.NnVariable] = null,
        [CmsisRoots.CoreVariable] = null,
    };

    /// <summary>
    /// On a Cortex-M4F the CMSIS-DSP f32 functions are scalar loops that take no fewer instructions
    /// than the portable kernels (the benchmark shows it), so auto never takes them there and has
    /// nothing to say about CMSIS; linear takes the armv7em kernels.
    /// </summary>
    [Fact]
    public void Auto_on_stm32f4_takes_armv7em_for_linear_and_portable_for_the_rest_without_a_word_about_cmsis()
    {
        var project = sdk.CreateTwoModelProject("AutoOnStm32f4");

        var result = project.BuildWith(WithoutCmsis, "-p:Board=stm32f4");
        var withCmsis = project.Build("-p:Board=stm32f4");

        foreach (var build in new[] { result, withCmsis })
        {
            BuildAssert.Succeeded(build);
            Assert.DoesNotContain("AD5003", build.Output);
            Assert.Empty(CmsisFamilies(build));
            var lines = Regex.Matches(build.Output, @"^\s*kernel families: (.*)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(2, lines.Count);
            Assert.All(lines, line => Assert.Contains("linear armv7em", line));
            Assert.All(lines, line => Assert.Contains("elementwise portable", line));
        }
    }

    [Fact]
    public void Cmsis_kernels_without_cmsis_fail_with_AD5001_naming_the_property()
    {
        var project = sdk.CreateTwoModelProject("CmsisWithoutCmsis");

        var result = project.BuildWith(WithoutCmsis, "-p:Board=stm32f4", "-p:AutodiffKernels=cmsis");

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"alpha\.yaml\(\d+,\d+\): error AD5001: AutodiffKernels=cmsis, but the CMSIS sources for .* were not found: set CmsisDspRoot");
    }

    [Theory]
    [InlineData("lm3s6965")]
    [InlineData("host")]
    public void Auto_on_a_board_without_dsp_uses_portable_kernels_silently(string board)
    {
        var project = sdk.CreateTwoModelProject("AutoNoDsp");

        var result = project.BuildWith(WithoutCmsis, "-p:Board=" + board);

        BuildAssert.Succeeded(result);
        Assert.DoesNotContain("AD5003", result.Output);
        AssertAllPortable(result, models: 2);
    }

    [SkippableFact]
    public void Cmsis_firmware_runs_in_qemu_and_compiles_only_the_listed_cmsis_sources()
    {
        Skip.If(MissingCmsis() is not null, MissingCmsis());
        var project = sdk.CreateTwoModelProject("CmsisRun");

        var result = project.Build("-p:Board=stm32f4", "-p:AutodiffKernels=cmsis", "-t:Run");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputMatches(result, @"CmsisRun\.elf in QEMU \(netduinoplus2\) exited with code 0");
        Assert.DoesNotContain("AD5003", result.Output);
        var cmsisFamilies = CmsisFamilies(result);
        Assert.Contains("elementwise", cmsisFamilies);

        // Exactly the CMSIS-DSP and CMSIS-NN files the chosen families list, each compiled once under
        // cmsis-dsp/ or cmsis-nn/.
        var expected = cmsisFamilies
            .SelectMany(f => File.ReadAllLines(Path.Combine(sdk.RepositoryRoot, "kernels", "cmsis", f + ".cmsis")))
            .Select(line => line.Split('#')[0].Trim())
            .Where(line => line.StartsWith("dsp:", StringComparison.Ordinal) || line.StartsWith("nn:", StringComparison.Ordinal))
            .Select(line => (line.StartsWith("dsp:", StringComparison.Ordinal) ? "cmsis-dsp/" : "cmsis-nn/") + line[(line.IndexOf(':') + 1)..].Trim() + ".o")
            .ToHashSet();
        var objects = FirmwareProject.Timestamps(project.ObjectDirectory("stm32f4")).Keys.Where(k => k.EndsWith(".o", StringComparison.Ordinal)).ToList();
        Assert.Equal(expected.Order(), objects.Where(o => o.StartsWith("cmsis-", StringComparison.Ordinal)).Order());
        Assert.All(objects, o => Assert.Matches(@"^(project|generated|kernels|boards|cmsis-dsp|cmsis-nn)/", o));
        foreach (var family in cmsisFamilies)
        {
            Assert.Contains($"kernels/cmsis/{family}.c.o", objects);
            Assert.DoesNotContain($"kernels/portable/{family}.c.o", objects);
        }
    }

    /// <summary>
    /// The Helium board with only CmsisNnRoot given (as a property, no CMSIS variables): auto takes
    /// CMSIS-NN for linear, compiles exactly the CMSIS-NN sources linear.cmsis lists, and the firmware
    /// trains in QEMU (mps3-an547, Cortex-M55).
    /// </summary>
    [SkippableFact]
    public void Cmsis_nn_firmware_trains_on_cortex_m55_in_qemu_with_CmsisNnRoot()
    {
        var roots = CmsisRoots.Find(null, null, null);
        Skip.If(!roots.HasNn, $"CMSIS-NN not found; set {CmsisRoots.NnVariable} to a CMSIS-NN checkout (and {CmsisRoots.CoreVariable} unless CMSIS_6 sits beside it)");
        var project = sdk.CreateTwoModelProject("CmsisNnOnM55");

        var result = project.BuildWith(WithoutCmsis, "-p:Board=cortex-m55", "-t:Run", $"-p:CmsisNnRoot={roots.Nn}", $"-p:CmsisCoreRoot={roots.Core}");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputMatches(result, @"CmsisNnOnM55\.elf in QEMU \(mps3-an547\) exited with code 0");
        Assert.Contains("linear", CmsisFamilies(result));
        var expected = File.ReadAllLines(Path.Combine(sdk.RepositoryRoot, "kernels", "cmsis", "linear.cmsis"))
            .Select(line => line.Split('#')[0].Trim())
            .Where(line => line.StartsWith("nn:", StringComparison.Ordinal))
            .Select(line => "cmsis-nn/" + line["nn:".Length..].Trim() + ".o")
            .ToList();
        var objects = FirmwareProject.Timestamps(project.ObjectDirectory("cortex-m55")).Keys.ToHashSet();
        Assert.All(expected, o => Assert.Contains(o, objects));
        Assert.Contains("kernels/cmsis/linear.c.o", objects);
        Assert.DoesNotContain("kernels/portable/linear.c.o", objects);
    }

    [SkippableFact]
    public void Cmsis_firmware_rebuilds_incrementally_like_any_other()
    {
        Skip.If(MissingCmsis() is not null, MissingCmsis());
        var project = sdk.CreateTwoModelProject("CmsisIncremental");

        // Choosing CMSIS is a change of settings: both models regenerate with CMSIS kernels.
        const string cmsis = "-p:AutodiffKernels=cmsis";
        BuildAssert.Succeeded(project.BuildWith(WithoutCmsis, "-p:Board=stm32f4"));
        var portableManifests = Manifests(project);
        var first = project.Build("-p:Board=stm32f4", cmsis);
        BuildAssert.Succeeded(first);
        Assert.Contains("elementwise", CmsisFamilies(first));
        foreach (var (file, time) in Manifests(project)) Assert.True(time > portableManifests[file], $"{file} was not regenerated when CMSIS was chosen");

        var generated = FirmwareProject.Timestamps(project.GeneratedDirectory());
        var objects = FirmwareProject.Timestamps(project.ObjectDirectory("stm32f4"));
        BuildAssert.Succeeded(project.Build("-p:Board=stm32f4", cmsis));
        BuildAssert.Succeeded(project.Build("-p:Board=stm32f4", cmsis, "-question"));
        Assert.Equal(generated, FirmwareProject.Timestamps(project.GeneratedDirectory()));
        Assert.Equal(objects, FirmwareProject.Timestamps(project.ObjectDirectory("stm32f4")));

        project.WithFile("models/beta.yaml", TestModels.ResidualClassifier("beta", learningRate: "0.05"));
        BuildAssert.Succeeded(project.Build("-p:Board=stm32f4", cmsis));
        var generatedAfter = FirmwareProject.Timestamps(project.GeneratedDirectory());
        var objectsAfter = FirmwareProject.Timestamps(project.ObjectDirectory("stm32f4"));

        Assert.True(generatedAfter["beta/beta.c"] > generated["beta/beta.c"], "beta.c was not regenerated");
        Assert.True(objectsAfter["generated/beta/beta.c.o"] > objects["generated/beta/beta.c.o"], "beta.c was not recompiled");
        Assert.Equal(generated["alpha/alpha.c"], generatedAfter["alpha/alpha.c"]);
        Assert.Equal(objects["generated/alpha/alpha.c.o"], objectsAfter["generated/alpha/alpha.c.o"]);
        var untouched = objects.Keys.Where(k => k.EndsWith(".o", StringComparison.Ordinal) && (k.StartsWith("cmsis-dsp/", StringComparison.Ordinal) || k.StartsWith("kernels/", StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(untouched);
        foreach (var file in untouched) Assert.Equal(objects[file], objectsAfter[file]);
        BuildAssert.Succeeded(project.Build("-p:Board=stm32f4", cmsis, "-question"));
    }

    /// <summary>Null when the CMSIS trees these tests build against are set, else why the test is skipped.</summary>
    private static string? MissingCmsis()
    {
        var roots = CmsisRoots.Find(null, null, null);
        return roots.HasDsp
            ? null
            : $"CMSIS not found; set {CmsisRoots.DspVariable} to a CMSIS-DSP checkout and {CmsisRoots.NnVariable} to a CMSIS-NN checkout " +
              $"(the Core headers are found beside them in CMSIS_6/CMSIS/Core/Include, or set {CmsisRoots.CoreVariable}) to build firmware with the CMSIS kernels";
    }

    /// <summary>The families the report says got CMSIS kernels, over every model.</summary>
    private static IReadOnlyList<string> CmsisFamilies(ProcessResult result) =>
        Regex.Matches(result.Output, @"^\s*kernel families: (.*)$", RegexOptions.Multiline)
            .SelectMany(m => m.Groups[1].Value.Split(", "))
            .Select(entry => entry.Trim().Split(' '))
            .Where(parts => parts is [_, "cmsis"])
            .Select(parts => parts[0])
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    private static void AssertAllPortable(ProcessResult result, int models)
    {
        var lines = Regex.Matches(result.Output, @"^\s*kernel families: (.*)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(models, lines.Count);
        foreach (var line in lines)
            Assert.All(line.Split(", "), entry => Assert.EndsWith(" portable", entry.Trim()));
    }

    private static Dictionary<string, DateTime> Manifests(FirmwareProject project) =>
        FirmwareProject.Timestamps(project.GeneratedDirectory())
            .Where(kv => kv.Key.EndsWith(".manifest.json", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
}
