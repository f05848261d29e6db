using System.Text.Json;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// The Autodiff.Templates package: `dotnet new autodiff-firmware` in an empty folder gives a project
/// that builds and runs with the packed SDK, and the template pins the SDK version the repository packs.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class TemplateTests(SdkPackageFixture sdk)
{
    [Fact]
    public void Dotnet_new_autodiff_firmware_builds_and_runs()
    {
        var root = Path.Combine(sdk.WorkRoot, "template");
        var feed = Path.Combine(root, "feed");
        Directory.CreateDirectory(feed);
        // `dotnet new install` records templates under DOTNET_CLI_HOME: a private one keeps the user's alone.
        var environment = new Dictionary<string, string?> { ["DOTNET_CLI_HOME"] = Path.Combine(root, "cli-home") };
        var pack = sdk.Dotnet(sdk.RepositoryRoot, "pack", Path.Combine(sdk.RepositoryRoot, "templates", "Autodiff.Templates"),
            "-c", "Release", "-o", feed, "--artifacts-path", Path.Combine(root, "artifacts"));
        Assert.True(pack.Succeeded, "packing the templates failed:\n" + pack.Output);
        Assert.DoesNotMatch(@"(?im)\bwarning\b", pack.Output);
        var package = Directory.GetFiles(feed, "Autodiff.Templates.*.nupkg").Single();

        var workspace = Path.Combine(root, "workspace");
        Directory.CreateDirectory(workspace);
        File.WriteAllText(Path.Combine(workspace, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="autodiff-test-feed" value="{sdk.FeedDirectory}" />
              </packageSources>
            </configuration>
            """);
        var install = DotnetNew(workspace, environment, "new", "install", package);
        Assert.True(install.Succeeded, "dotnet new install failed:\n" + install.Output);
        var create = DotnetNew(workspace, environment, "new", "autodiff-firmware", "-n", "Gesture", "--SdkVersion", sdk.SdkVersion);
        Assert.True(create.Succeeded, "dotnet new autodiff-firmware failed:\n" + create.Output);

        var project = Path.Combine(workspace, "Gesture");
        var result = sdk.DotnetWith(project, environment, "build", Path.Combine(project, "Gesture.proj"), "-t:Run", "-v:m");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "Autodiff: classifier (board host");
        BuildAssert.OutputMatches(result, @"held-out accuracy \d+\.\d% \(need 90%\)");
        BuildAssert.OutputContains(result, "Autodiff: Gesture exited with code 0");
        Assert.True(File.Exists(Path.Combine(project, "obj", "autodiff-model.schema.json")), "the model's schema line names a file the build did not write");
    }

    [Fact]
    public void Template_pins_the_version_of_the_SDK_the_repository_packs()
    {
        var templateJson = Path.Combine(sdk.RepositoryRoot, "templates", "Autodiff.Templates", "content", "autodiff-firmware", ".template.config", "template.json");
        using var template = JsonDocument.Parse(File.ReadAllText(templateJson));
        var pinned = template.RootElement.GetProperty("symbols").GetProperty("SdkVersion").GetProperty("defaultValue").GetString();

        Assert.Equal(sdk.SdkVersion, pinned);
    }

    /// <summary>dotnet new takes none of the build switches <see cref="SdkPackageFixture.Dotnet"/> adds.</summary>
    private ProcessResult DotnetNew(string directory, Dictionary<string, string?> environment, params string[] arguments)
    {
        var all = new Dictionary<string, string?>(environment)
        {
            ["NUGET_PACKAGES"] = sdk.PackagesDirectory,
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        };
        return ProcessRunner.Run("dotnet", arguments, directory, all);
    }
}
