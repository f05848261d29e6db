namespace Autodiff.Sdk.Tests;

/// <summary>Building and running firmware on the default board, the build machine.</summary>
[Collection(SdkCollection.Name)]
public sealed class HostBuildTests(SdkPackageFixture sdk)
{
    [Fact]
    public void Build_prints_the_budget_report_writes_the_executable_and_runs_the_extension_targets()
    {
        // The documented extension targets, defined in the project and in Directory.Build.targets,
        // replace the SDK's empty ones.
        var project = sdk.CreateProject("HostReport")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"))
            .WithFile("HostReport.proj", """
                <Project Sdk="Autodiff.Sdk">
                  <ItemGroup>
                    <AutodiffModel Include="models/tiny.yaml" />
                  </ItemGroup>
                  <Target Name="BeforeAutodiffCompile">
                    <Message Importance="high" Text="MARKER-BEFORE-COMPILE" />
                  </Target>
                </Project>
                """)
            .WithFile("../Directory.Build.targets", """
                <Project>
                  <Target Name="AfterAutodiffLink">
                    <Message Importance="high" Text="MARKER-AFTER-LINK" />
                  </Target>
                </Project>
                """);

        var result = project.Build();

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "MARKER-BEFORE-COMPILE");
        BuildAssert.OutputContains(result, "MARKER-AFTER-LINK");
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
    public void Canceling_the_build_stops_a_running_program_at_once()
    {
        if (OperatingSystem.IsWindows()) return; // Ctrl+C is sent as SIGINT
        var project = sdk.CreateProject("HostCancel")
            .WithProjectFile()
            .WithFile("main.c", """
                #define _POSIX_C_SOURCE 200809L
                #include <stdio.h>
                #include <unistd.h>

                int main(void)
                {
                    FILE *pid = fopen("program.pid", "w");
                    fprintf(pid, "%ld\n", (long)getpid());
                    fclose(pid);
                    printf("PROGRAM-WAITING\n");
                    fflush(stdout);
                    sleep(600);
                    return 0;
                }
                """);

        var build = sdk.StartDotnet(project.Directory, "build", project.ProjectFile, "-v:m", "-t:Run", "-p:AutodiffRunTimeout=600");
        var started = build.WaitForOutput("PROGRAM-WAITING", TimeSpan.FromMinutes(3));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        build.Interrupt();
        var result = build.WaitForExit(TimeSpan.FromMinutes(2));
        stopwatch.Stop();

        Assert.True(started, "the program did not start:\n" + result.Output);
        Assert.False(result.Succeeded, "a canceled run must not pass:\n" + result.Output);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"the build took {stopwatch.Elapsed} to stop:\n{result.Output}");
        var programId = int.Parse(File.ReadAllText(project.PathOf("program.pid")).Trim());
        Assert.False(IsRunning(programId), "the program was left running");
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
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
