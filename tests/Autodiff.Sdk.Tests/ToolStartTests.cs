namespace Autodiff.Sdk.Tests;

/// <summary>
/// Paths and programs that cannot be used as given end in a clear AD error (or just work), never in
/// an MSBuild error with a .NET stack trace.
/// </summary>
[Collection(SdkCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes and /bin/sh tools
public sealed class ToolStartTests(SdkPackageFixture sdk)
{
    [Fact]
    public void A_project_folder_with_a_double_quote_builds_and_runs()
    {
        var directory = Path.Combine(sdk.WorkRoot, "projects", "quote-" + Guid.NewGuid().ToString("N")[..6], "my \"quoted\" firmware");
        var project = FirmwareProject.Create(sdk, directory, "Quoted")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));

        // Built from inside the folder: the dotnet command line itself drops quotes from a project path.
        var run = sdk.Dotnet(project.Directory, "build", "-v:m", "-t:Run");

        BuildAssert.Succeeded(run);
        AssertNoTrace(run);
        BuildAssert.OutputContains(run, "tiny step 4 loss");
        BuildAssert.Succeeded(sdk.Dotnet(project.Directory, "build", "-v:m", "-question"));
    }

    [Fact]
    public void A_compiler_that_is_not_executable_is_an_AD4012_error()
    {
        var project = TinyProject("CompilerNotExecutable")
            .WithFile("tools/gcc", "#!/bin/sh\nexec gcc \"$@\"\n");
        File.SetUnixFileMode(project.PathOf("tools/gcc"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = project.Build($"-p:AutodiffHostCompiler={project.PathOf("tools/gcc")}");

        BuildAssert.Failed(result);
        AssertNoTrace(result);
        BuildAssert.OutputMatches(result, @"CompilerNotExecutable\.proj[^:]*: error AD4012: cannot run '[^']*tools/gcc': the file is not executable");
    }

    [Fact]
    public void Running_an_image_that_is_not_executable_is_an_AD4405_error()
    {
        var project = TinyProject("ImageNotExecutable");
        BuildAssert.Succeeded(project.Build());
        var image = Path.Combine(project.OutputDirectory(), "ImageNotExecutable");
        File.SetUnixFileMode(image, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = project.Build("-t:Run");

        BuildAssert.Failed(result);
        AssertNoTrace(result);
        BuildAssert.OutputMatches(result, @"ImageNotExecutable\.proj[^:]*: error AD4405: cannot start ImageNotExecutable \(.*\): the file is not executable");
    }

    /// <summary>No MSBuild tool-task failure and nothing that looks like a .NET stack frame.</summary>
    private static void AssertNoTrace(ProcessResult result)
    {
        Assert.DoesNotContain("MSB6001", result.Output);
        Assert.DoesNotContain("MSB6003", result.Output);
        Assert.DoesNotMatch(@"\n\s+at [\w.]+\(", result.Output);
    }

    private FirmwareProject TinyProject(string name) =>
        sdk.CreateProject(name)
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));
}
