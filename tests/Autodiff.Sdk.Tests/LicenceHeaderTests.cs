using System.Reflection;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// Every C source and linker script of the repository's own (kernels, boards, samples, benchmarks)
/// names its licence on its first line, so a file copied out of the package or the repository still
/// says under which terms it came. Build outputs (bin/, obj/) are generated and not checked.
/// </summary>
public sealed class LicenceHeaderTests
{
    private const string Header = "/* SPDX-License-Identifier: MIT */";

    [Fact]
    public void Every_C_source_and_linker_script_starts_with_an_SPDX_licence_identifier()
    {
        var root = typeof(LicenceHeaderTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "AutodiffRepositoryRoot").Value!;
        var folders = new[] { "kernels", Path.Combine("sdk", "Autodiff.Sdk", "boards"), "samples", "bench" };

        var files = folders
            .Select(f => Path.Combine(root, f))
            .Where(Directory.Exists)
            .SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories))
            .Where(f => Path.GetExtension(f) is ".c" or ".h" or ".ld")
            .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .ToList();
        var missing = files
            .Where(f => File.ReadLines(f).FirstOrDefault() != Header)
            .Select(f => Path.GetRelativePath(root, f))
            .ToList();

        Assert.NotEmpty(files);
        Assert.True(missing.Count == 0, $"without '{Header}' on the first line:\n" + string.Join("\n", missing));
    }
}
