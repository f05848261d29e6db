namespace Autodiff.Sdk.Tests;

/// <summary>A firmware project in a temporary folder: files, builds and the paths of what they produce.</summary>
public sealed class FirmwareProject
{
    private readonly SdkPackageFixture _sdk;

    private FirmwareProject(SdkPackageFixture sdk, string directory, string name)
    {
        _sdk = sdk;
        Directory = directory;
        Name = name;
    }

    public string Directory { get; }

    public string Name { get; }

    public string ProjectFile => Path.Combine(Directory, Name + ".proj");

    public static FirmwareProject Create(SdkPackageFixture sdk, string directory, string name)
    {
        System.IO.Directory.CreateDirectory(directory);
        var project = new FirmwareProject(sdk, directory, name);
        var root = Path.GetDirectoryName(directory)!;
        File.WriteAllText(Path.Combine(root, "global.json"),
            $$"""{ "msbuild-sdks": { "Autodiff.Sdk": "{{sdk.SdkVersion}}" } }""");
        File.WriteAllText(Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="autodiff-test-feed" value="{sdk.FeedDirectory}" />
              </packageSources>
            </configuration>
            """);
        // Keep the folder free of inherited MSBuild settings, like a firmware repository of its own.
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />");
        return project;
    }

    /// <summary>Writes the project file with the given models (paths relative to the project folder).</summary>
    public FirmwareProject WithProjectFile(params string[] models)
    {
        var items = string.Join("\n", models.Select(m => $"""    <AutodiffModel Include="{m}" />"""));
        File.WriteAllText(ProjectFile, $"""
            <Project Sdk="Autodiff.Sdk">
              <ItemGroup>
            {items}
              </ItemGroup>
            </Project>
            """);
        return this;
    }

    public FirmwareProject WithFile(string relativePath, string content)
    {
        var path = PathOf(relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return this;
    }

    /// <summary>Copies a folder of the repository (e.g. the sample firmware) into the project.</summary>
    public FirmwareProject WithCopyOf(string repositoryFolder)
    {
        var source = Path.Combine(_sdk.RepositoryRoot, repositoryFolder);
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            var first = relative.Split(Path.DirectorySeparatorChar)[0];
            if (first is "bin" or "obj") continue;
            var target = relative.EndsWith(".proj", StringComparison.Ordinal) && !relative.Contains(Path.DirectorySeparatorChar)
                ? ProjectFile
                : PathOf(relative);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
        return this;
    }

    public FirmwareProject WithBytes(string relativePath, byte[] content)
    {
        var path = PathOf(relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return this;
    }

    public string PathOf(string relativePath) => Path.Combine(Directory, relativePath.Replace('/', Path.DirectorySeparatorChar));

    public ProcessResult Build(params string[] arguments) =>
        _sdk.Dotnet(Directory, new[] { "build", ProjectFile, "-v:m" }.Concat(arguments).ToArray());

    /// <summary>A build with environment variables changed for the build process (null removes one).</summary>
    public ProcessResult BuildWith(IReadOnlyDictionary<string, string?> environmentChanges, params string[] arguments) =>
        _sdk.DotnetWith(Directory, environmentChanges, new[] { "build", ProjectFile, "-v:m" }.Concat(arguments).ToArray());

    public ProcessResult Clean(params string[] arguments) =>
        _sdk.Dotnet(Directory, new[] { "clean", ProjectFile, "-v:m" }.Concat(arguments).ToArray());

    public string OutputDirectory(string board = "host", string configuration = "Debug") =>
        PathOf($"bin/{configuration}/{board}");

    public string GeneratedDirectory(string configuration = "Debug") => PathOf($"obj/{configuration}/autodiff");

    public string ObjectDirectory(string board = "host", string configuration = "Debug") => PathOf($"obj/{configuration}/{board}");

    /// <summary>Last write times of every file under <paramref name="folder"/>, by path relative to it.</summary>
    public static Dictionary<string, DateTime> Timestamps(string folder) =>
        System.IO.Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f).Replace('\\', '/'), File.GetLastWriteTimeUtc);
}
