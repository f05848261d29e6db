namespace Autodiff.Sdk.Tests;

/// <summary>
/// Clean deletes exactly what the build wrote, as Grpc.Tools does: every file the SDK writes is in
/// FileWrites, so `dotnet clean` removes each of them and nothing else (a file of the user's in the
/// obj folder survives), and the BeforeAutodiffClean/AfterAutodiffClean hooks run around it.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class CleanTests(SdkPackageFixture sdk)
{
    [Fact]
    public void Clean_deletes_every_file_the_build_wrote_keeps_the_users_files_and_runs_its_hooks()
    {
        var project = sdk.CreateProject("CleanExactly")
            .WithFile("CleanExactly.proj", """
                <Project Sdk="Autodiff.Sdk">
                  <ItemGroup>
                    <AutodiffModel Include="models/tiny.yaml" />
                  </ItemGroup>
                  <Target Name="BeforeAutodiffClean">
                    <Message Importance="high" Text="hook: before autodiff clean" />
                  </Target>
                  <Target Name="AfterAutodiffClean">
                    <Message Importance="high" Text="hook: after autodiff clean" />
                  </Target>
                </Project>
                """)
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));

        // What restore alone leaves in obj/ is not the build's to clean (as with any .NET project).
        BuildAssert.Succeeded(sdk.Dotnet(project.Directory, "restore", project.ProjectFile));
        var restored = Files(project);
        BuildAssert.Succeeded(project.Build());
        // A second build writes nothing new, and must still record every file for Clean.
        BuildAssert.Succeeded(project.Build());
        var built = Files(project).Except(restored).ToList();
        Assert.Contains("obj/Debug/autodiff/tiny/tiny.c", built);
        Assert.Contains("obj/Debug/host/project/main.c.o", built);
        Assert.Contains("obj/Debug/host/project/main.c.d", built);
        Assert.Contains("bin/Debug/host/CleanExactly", built);

        project.WithFile("obj/Debug/host/notes.txt", "the user's")
            .WithFile("obj/Debug/autodiff/tiny/mine.c", "/* the user's */");

        var result = project.Clean();

        BuildAssert.Succeeded(result);
        var before = result.Output.IndexOf("hook: before autodiff clean", StringComparison.Ordinal);
        var after = result.Output.IndexOf("hook: after autodiff clean", StringComparison.Ordinal);
        Assert.True(before >= 0 && after > before, "the clean hooks did not run in order:\n" + result.Output);

        var left = Files(project).Except(restored).ToList();
        Assert.Equal(
            new[] { "obj/Debug/autodiff/tiny/mine.c", "obj/Debug/host/notes.txt" },
            left.Where(f => !IsDotnetSdkFile(f)).Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(project.OutputDirectory()), "Clean left the emptied firmware folder");
    }

    /// <summary>
    /// Files of Microsoft.NET.Sdk that its Clean keeps in any project: the record of the build's files,
    /// which Clean rewrites, and the cache of the restored package assets.
    /// </summary>
    private static bool IsDotnetSdkFile(string file) =>
        file.EndsWith(".FileListAbsolute.txt", StringComparison.Ordinal) || file.EndsWith(".assets.cache", StringComparison.Ordinal);

    private static List<string> Files(FirmwareProject project) =>
        new[] { "obj", "bin" }
            .Select(project.PathOf)
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(project.Directory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
}
