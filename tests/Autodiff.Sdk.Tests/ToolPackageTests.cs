using System.IO.Compression;
using System.Reflection;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// The <c>autodiff</c> tool's package holds what the tool looks for beside its assembly (boards,
/// kernels), the CMake module, and the notices of every library it redistributes.
/// </summary>
public sealed class ToolPackageTests
{
    private static string Metadata(string key) => typeof(ToolPackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == key).Value!;

    [Fact]
    public void The_tool_package_carries_boards_kernels_the_CMake_module_and_notices_of_its_libraries()
    {
        var project = Path.Combine(Metadata("AutodiffRepositoryRoot"), "src", "Autodiff.Tool", "Autodiff.Tool.csproj");
        var configuration = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Metadata("AutodiffToolAssembly"))))!;
        var output = Directory.CreateTempSubdirectory("autodiff-tool-pack-").FullName;
        try
        {
            // --no-build: the tests run while other tests use the built tool; packing must not rebuild it.
            var pack = ProcessRunner.Run("dotnet", ["pack", project, "-c", configuration, "--no-build", "-o", output, "--nologo"], output);
            Assert.True(pack.Succeeded, pack.Output);
            using var package = ZipFile.OpenRead(Directory.GetFiles(output, "Autodiff.Tool.*.nupkg").Single());
            var entries = package.Entries.Select(e => e.FullName).ToHashSet();

            const string Tool = "tools/net10.0/any/";
            foreach (var file in new[] { "boards/host/board.yaml", "boards/stm32f4/board.yaml", "kernels/portable/autodiff_kernels.h",
                         "kernels/portable/linear.c", "cmake/Autodiff.cmake", "Autodiff.Tool.dll", "DotnetToolSettings.xml" })
                Assert.Contains(Tool + file, entries);
            Assert.DoesNotContain(entries, e => e.Contains("/test/", StringComparison.Ordinal));
            Assert.Contains("LICENSE", entries);

            using var reader = new StreamReader(package.GetEntry("THIRD-PARTY-NOTICES.txt")!.Open());
            var notices = reader.ReadToEnd();
            var libraries = entries.Where(e => e.StartsWith(Tool, StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal))
                .Select(e => Path.GetFileNameWithoutExtension(e)).Where(n => !n.StartsWith("Autodiff.", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(libraries);
            foreach (var library in libraries)
                Assert.Contains($"({Tool}{library}.dll)", notices);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
