using System.IO.Compression;
using System.Xml.Linq;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// What a company adopting the SDK checks first: the package packs without warnings and carries its
/// licence, a readme and the notices of every library it redistributes.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class PackageContentTests(SdkPackageFixture sdk)
{
    [Fact]
    public void Packing_the_SDK_warns_about_nothing()
    {
        Assert.DoesNotMatch(@"(?im)\bwarning\b", sdk.PackOutput);
    }

    [Fact]
    public void Package_carries_licence_readme_icon_third_party_notices_and_model_schema()
    {
        var entries = Entries();

        foreach (var file in new[] { "LICENSE", "README.md", "icon.png", "THIRD-PARTY-NOTICES.txt", "schema/autodiff-model.schema.json" })
            Assert.Contains(file, entries);
        Assert.Contains("MIT License", ReadEntry("LICENSE"));
        Assert.Contains("Copyright (c) Autodiff contributors", ReadEntry("LICENSE"));
    }

    [Fact]
    public void Nuspec_declares_licence_readme_icon_project_url_copyright_and_release_notes()
    {
        var nuspec = XDocument.Parse(ReadEntry("Autodiff.Sdk.nuspec"));
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

        Assert.Equal("MIT", Value("license"));
        Assert.Equal("expression", metadata.Elements().Single(e => e.Name.LocalName == "license").Attribute("type")?.Value);
        Assert.Equal("README.md", Value("readme"));
        Assert.Equal("icon.png", Value("icon"));
        Assert.StartsWith("https://", Value("projectUrl"));
        Assert.Contains("Autodiff contributors", Value("copyright"));
        Assert.NotEmpty(Value("releaseNotes"));
    }

    /// <summary>
    /// Every library beside the tasks that is not Autodiff's own is named in the notices with the
    /// version packed, so a new dependency (or an upgrade) cannot ship without its notice.
    /// </summary>
    [Fact]
    public void Third_party_notices_name_every_library_the_tasks_folder_ships_at_its_version()
    {
        var notices = ReadEntry("THIRD-PARTY-NOTICES.txt");
        var libraries = Entries()
            .Where(e => e.StartsWith("tasks/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal))
            .Select(e => Path.GetFileNameWithoutExtension(e))
            .Where(name => !name.StartsWith("Autodiff.", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(libraries);
        foreach (var library in libraries)
        {
            var version = LibraryVersion(library);
            Assert.True(notices.Contains($"{library} {version} (tasks/net10.0/{library}.dll)", StringComparison.Ordinal),
                $"THIRD-PARTY-NOTICES.txt has no entry '{library} {version}' for the packed tasks/net10.0/{library}.dll");
        }
        // Apache-2.0 asks that its text travel with the work.
        Assert.Contains("TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", notices);
    }

    private List<string> Entries()
    {
        using var zip = ZipFile.OpenRead(sdk.PackagePath);
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    private string ReadEntry(string name)
    {
        using var zip = ZipFile.OpenRead(sdk.PackagePath);
        var entry = zip.GetEntry(name) ?? throw new Xunit.Sdk.XunitException($"{name} is not in {sdk.PackagePath}");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    /// <summary>The packed assembly's own version, three parts, as its NuGet package is numbered.</summary>
    private string LibraryVersion(string library)
    {
        using var zip = ZipFile.OpenRead(sdk.PackagePath);
        var entry = zip.GetEntry($"tasks/net10.0/{library}.dll")!;
        var path = Path.Combine(sdk.WorkRoot, "notice-check", library + ".dll");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        entry.ExtractToFile(path, overwrite: true);
        var info = System.Diagnostics.FileVersionInfo.GetVersionInfo(path);
        var informational = (info.ProductVersion ?? "").Split('+')[0];
        return informational;
    }
}
