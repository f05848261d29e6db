using System.Text.Json;
using Autodiff.Engine.CodeGen;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// One place per fact: the board description is read once per build and handed to every task that
/// needs it, and the CMSIS roots are resolved once, shown as properties, and used by the engine as
/// they are instead of being looked up again.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class ResolvedOnceTests(SdkPackageFixture sdk)
{
    [Fact]
    public void The_board_file_is_read_once_in_a_build_that_generates_plans_arenas_and_draws_the_firmware_report()
    {
        var project = sdk.CreateTwoModelProject("BoardReadOnce");

        // stm32f4 with two models: generation, the arena plan and the firmware report all need the board.
        var result = project.Build("-p:Board=stm32f4", "-v:d");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "firmware.report.html");
        var reads = result.Output.Split('\n').Count(l => l.Contains("Autodiff: read board 'stm32f4' from", StringComparison.Ordinal));
        Assert.Equal(1, reads);
    }

    [SkippableFact]
    public void The_cmsis_roots_shown_after_a_build_are_the_ones_the_generated_code_uses()
    {
        var dspRoot = Environment.GetEnvironmentVariable(CmsisRoots.DspVariable);
        Skip.If(string.IsNullOrEmpty(dspRoot) || !Directory.Exists(dspRoot), "CMSIS_DSP_ROOT is not set");
        var project = sdk.CreateTwoModelProject("CmsisResolvedOnce");

        // Named in a roundabout way, so the resolved root differs from the text of the property.
        var roundabout = Path.Combine(dspRoot!, "Include", "..") + Path.DirectorySeparatorChar;
        var result = project.Build("-p:Board=stm32f4", "-p:AutodiffKernels=cmsis", "-p:CmsisDspRoot=" + roundabout,
            "-t:AutodiffCheck", "-getProperty:AutodiffCmsisDspRoot", "-getProperty:AutodiffCmsisCoreRoot");

        BuildAssert.Succeeded(result);
        var properties = JsonDocument.Parse(result.Output[result.Output.IndexOf('{')..]).RootElement.GetProperty("Properties");
        var shownDsp = properties.GetProperty("AutodiffCmsisDspRoot").GetString()!;
        var shownCore = properties.GetProperty("AutodiffCmsisCoreRoot").GetString()!;
        Assert.Equal(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dspRoot!)), shownDsp);
        Assert.NotEqual("", shownCore);

        // What the engine chose, as generation recorded it: the CMSIS include folders are the shown roots'.
        var includes = Directory.EnumerateFiles(Path.Combine(project.GeneratedDirectory(), ".state"), "*.manifest.json")
            .SelectMany(m => JsonDocument.Parse(File.ReadAllText(m)).RootElement.GetProperty("CompileIncludeDirectories").EnumerateArray())
            .Select(e => e.GetString()!)
            .ToList();
        Assert.Contains(Path.Combine(shownDsp, "Include"), includes);
        Assert.Contains(shownCore, includes);
    }
}
