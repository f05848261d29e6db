namespace Autodiff.Sdk.Tests;

/// <summary>Building and running firmware on the default board, the build machine.</summary>
[Collection(SdkCollection.Name)]
public sealed class HostBuildTests(SdkPackageFixture sdk)
{
    [Fact]
    public void Build_prints_the_budget_report_and_writes_the_executable()
    {
        var project = sdk.CreateProject("HostReport")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));

        var result = project.Build();

        BuildAssert.Succeeded(result);
        BuildAssert.OutputMatches(result, @"Autodiff: tiny \(board host, \d+ B RAM, budget \d+ B\)");
        BuildAssert.OutputContains(result, "arena");
        BuildAssert.OutputMatches(result, @"Firmware: \.text [\d.]+ KiB · \.data\+\.bss [\d.]+ KiB");
        Assert.True(File.Exists(Path.Combine(project.OutputDirectory(), "HostReport" + (OperatingSystem.IsWindows() ? ".exe" : ""))));
        Assert.True(File.Exists(Path.Combine(project.GeneratedDirectory(), "tiny", "tiny.h")));
        Assert.True(File.Exists(Path.Combine(project.GeneratedDirectory(), "tiny", "tiny.c")));
    }

    [Fact]
    public void Run_executes_the_program_and_passes_on_exit_code_zero()
    {
        var project = sdk.CreateProject("HostRun")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));

        var result = project.Build("-t:Run");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "tiny step 4 loss");
    }

    [Fact]
    public void Run_fails_the_build_when_main_returns_non_zero()
    {
        var project = sdk.CreateProject("HostRunFails")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(3, "tiny"));

        var result = project.Build("-t:Run");

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"error AD4402: .*exited with code 3");
    }

    [Fact]
    public void Sample_firmware_trains_and_passes_on_the_host()
    {
        var project = sdk.CreateProject("Firmware").WithCopyOf("samples/firmware");

        var result = project.Build("-t:Run");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "held-out accuracy");
    }

    [Fact]
    public void Clean_removes_generated_files_objects_and_firmware()
    {
        var project = sdk.CreateProject("HostClean")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));
        BuildAssert.Succeeded(project.Build());
        Assert.True(Directory.Exists(project.GeneratedDirectory()));

        var result = project.Clean();

        BuildAssert.Succeeded(result);
        Assert.False(Directory.Exists(project.GeneratedDirectory()), "generated C survived dotnet clean");
        Assert.False(Directory.Exists(project.ObjectDirectory()), "objects survived dotnet clean");
        Assert.False(File.Exists(Path.Combine(project.OutputDirectory(), "HostClean")), "the executable survived dotnet clean");
    }

    [Fact]
    public void Release_builds_with_O2_and_Debug_with_Og_g()
    {
        var project = sdk.CreateProject("HostConfigurations")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));

        BuildAssert.Succeeded(project.Build());
        BuildAssert.Succeeded(project.Build("-c", "Release"));

        var debugFlags = File.ReadAllLines(Path.Combine(project.ObjectDirectory("host", "Debug"), "compile.flags"));
        var releaseFlags = File.ReadAllLines(Path.Combine(project.ObjectDirectory("host", "Release"), "compile.flags"));
        Assert.Contains("-Og", debugFlags);
        Assert.Contains("-g", debugFlags);
        Assert.Contains("-O2", releaseFlags);
        Assert.True(File.Exists(Path.Combine(project.OutputDirectory("host", "Release"), "HostConfigurations" + (OperatingSystem.IsWindows() ? ".exe" : ""))));
    }

    [Fact]
    public void RamBudget_metadata_overrides_the_budget_of_one_model()
    {
        var project = sdk.CreateProject("ModelBudget")
            .WithFile("models/small.yaml", TestModels.Classifier("small"))
            .WithFile("models/large.yaml", TestModels.Classifier("large"))
            .WithFile("main.c", TestModels.MainTraining(0, "small", "large"))
            .WithFile("ModelBudget.proj", """
                <Project Sdk="Autodiff.Sdk">
                  <ItemGroup>
                    <AutodiffModel Include="models/small.yaml" RamBudget="64K" />
                    <AutodiffModel Include="models/large.yaml" />
                  </ItemGroup>
                </Project>
                """);

        var result = project.Build();

        BuildAssert.Succeeded(result);
        BuildAssert.OutputMatches(result, @"Autodiff: small \(board host, \d+ B RAM, budget 65536 B\)");
        BuildAssert.OutputMatches(result, @"Autodiff: large \(board host, \d+ B RAM, budget 1073741824 B\)");
    }
}
