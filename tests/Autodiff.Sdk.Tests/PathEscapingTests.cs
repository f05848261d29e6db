namespace Autodiff.Sdk.Tests;

/// <summary>
/// Characters MSBuild gives a meaning (<c>;</c> separates items, <c>$(</c> and <c>@(</c> start
/// expressions, <c>%</c> escapes) and a newline are legal in folder and file names; a project in such
/// a folder, or with such a model file, builds and is then up to date instead of regenerating,
/// recompiling or relinking on every build.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class PathEscapingTests(SdkPackageFixture sdk)
{
    [Theory]
    [InlineData("semi;colon", "tiny.yaml")]
    [InlineData("dollar $(Board) folder", "tiny.yaml")]
    [InlineData("plain", "a;b @(c) $(d).yaml")]
    // A newline is legal in Unix file names, and gcc writes it unescaped into dependency files. ('%'
    // goes in the model's name only: NuGet unescapes %41 in a project folder's path and then cannot
    // find its own assets file, before the SDK is involved.)
    [InlineData("new\nline", "tiny.yaml")]
    [InlineData("new\nline;semi $(p) @(i)", "a\nb;c $(d) @(e) %41.yaml")]
    public void A_project_with_msbuild_characters_in_its_paths_builds_once_and_is_then_up_to_date(string folder, string modelFile)
    {
        // Windows does not allow a newline in a file name.
        if (OperatingSystem.IsWindows() && (folder + modelFile).Contains('\n')) return;

        var directory = Path.Combine(sdk.WorkRoot, "projects", "escape-" + Guid.NewGuid().ToString("N")[..6], folder);
        // The model is found by a wildcard, as a user's would be: MSBuild escapes what it finds.
        var project = FirmwareProject.Create(sdk, directory, "Escaped")
            .WithProjectFile("models/*.yaml")
            .WithFile("models/" + modelFile, TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));

        // Built from inside the folder: the dotnet command line splits a project path at ';'.
        var run = sdk.Dotnet(project.Directory, "build", "-v:m", "-t:Run");
        BuildAssert.Succeeded(run);
        Assert.DoesNotContain("MSB4012", run.Output);
        BuildAssert.OutputContains(run, "tiny step 4 loss");
        var generated = FirmwareProject.Timestamps(project.GeneratedDirectory());
        var image = File.GetLastWriteTimeUtc(Path.Combine(project.OutputDirectory(), "Escaped"));

        BuildAssert.Succeeded(sdk.Dotnet(project.Directory, "build", "-v:m", "-question"));
        BuildAssert.Succeeded(sdk.Dotnet(project.Directory, "build", "-v:m"));
        Assert.Equal(generated, FirmwareProject.Timestamps(project.GeneratedDirectory()));
        Assert.Equal(image, File.GetLastWriteTimeUtc(Path.Combine(project.OutputDirectory(), "Escaped")));
    }
}
