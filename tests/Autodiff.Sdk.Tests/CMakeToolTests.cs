using System.Reflection;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// The <c>autodiff</c> tool through cmake/Autodiff.cmake: a CMake project builds and runs a host
/// firmware that trains a model, a second build does not run the tool, and only a touched or edited
/// model, or an edited weights file it reads (through the dependency file), is generated again, with
/// the edit showing in the program.
/// </summary>
public sealed class CMakeToolTests
{
    private static string Metadata(string key) => typeof(CMakeToolTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == key).Value!;

    private const string Generating = "Autodiff: generating tiny";

    private const string Main = """
        /* SPDX-License-Identifier: MIT */
        #include <stdio.h>
        #include "tiny.h"

        int main(void)
        {
            static float x[TINY_BATCH * TINY_INPUT_SIZE];
            static float y[TINY_BATCH * TINY_TARGET_SIZE];
            int i;
            for (i = 0; i < TINY_BATCH * TINY_INPUT_SIZE; i++) x[i] = (float)(i % 5) * 0.25f;
            for (i = 0; i < TINY_BATCH; i++) y[i * TINY_TARGET_SIZE + i % TINY_TARGET_SIZE] = 1.0f;
            tiny_init();
            for (i = 0; i < 5; i++) printf("step %d loss %.4f\n", i, (double)tiny_train_step(x, y));
            printf("params %u\n", (unsigned)TINY_PARAM_FLOATS);
            return 0;
        }
        """;

    [SkippableTheory]
    [InlineData("Ninja")]
    [InlineData("Unix Makefiles")]
    public void A_CMake_project_builds_a_host_firmware_and_regenerates_the_model_only_when_it_changes(string generator)
    {
        Skip.If(!OnPath("cmake"), "cmake not found (Debian/Ubuntu: apt-get install cmake)");
        Skip.If(!OnPath("gcc"), "gcc not found (Debian/Ubuntu: apt-get install gcc)");
        Skip.If(generator == "Ninja" && !OnPath("ninja"), "ninja not found (Debian/Ubuntu: apt-get install ninja-build)");
        Skip.If(generator == "Unix Makefiles" && !OnPath("make"), "make not found (Debian/Ubuntu: apt-get install make)");
        Skip.If(OperatingSystem.IsWindows(), "the host firmware test uses gcc and the Unix CMake generators");

        var tool = Metadata("AutodiffToolAssembly");
        Assert.True(File.Exists(tool), $"the tool was not built: {tool}");
        var module = Path.Combine(Metadata("AutodiffRepositoryRoot"), "cmake", "Autodiff.cmake").Replace('\\', '/');
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

        var root = Directory.CreateTempSubdirectory("autodiff-cmake-").FullName;
        try
        {
            var model = Path.Combine(root, "tiny.yaml");
            var weights = Path.Combine(root, "fc1.npy");
            File.WriteAllBytes(weights, TestNpy.Float32([8, 4], Enumerable.Range(0, 32).Select(i => 0.01f * i).ToArray()));
            File.WriteAllText(model, WithWeights(TestModels.Classifier("tiny")));
            File.WriteAllText(Path.Combine(root, "main.c"), Main);
            File.WriteAllText(Path.Combine(root, "CMakeLists.txt"), $"""
                cmake_minimum_required(VERSION 3.20)
                project(tiny_firmware C)
                include("{module}")
                add_executable(firmware main.c)
                autodiff_add_model(firmware tiny.yaml BOARD host)
                """);
            var build = Path.Combine(root, "build");

            Succeeds(Run("cmake", "-S", root, "-B", build, "-G", generator, $"-DAUTODIFF_TOOL={dotnet};{tool}"));
            Succeeds(Run("cmake", "--build", build));
            var program = Path.Combine(build, "firmware");
            var first = Succeeds(ProcessRunner.Run(program, [], root));
            Assert.Contains("step 4 loss", first.Output);
            Assert.Contains("params 67", first.Output); // 4*8+8 + 8*3+3

            var generated = Path.Combine(build, "autodiff", "tiny", "tiny.c");
            var stamp = File.GetLastWriteTimeUtc(generated);
            var again = Succeeds(Run("cmake", "--build", build));
            Assert.DoesNotContain(Generating, again.Output);
            Assert.Equal(stamp, File.GetLastWriteTimeUtc(generated));

            // Touched, not changed: generated again once, and then up to date. The pause outlasts a
            // file system that keeps whole seconds; a time in the future would keep make rebuilding.
            Thread.Sleep(1100);
            File.SetLastWriteTimeUtc(model, DateTime.UtcNow);
            Assert.Contains(Generating, Succeeds(Run("cmake", "--build", build)).Output);
            Assert.DoesNotContain(Generating, Succeeds(Run("cmake", "--build", build)).Output);

            // A weights file the model reads is named in NAME.d: editing it regenerates, and the program trains from it.
            Thread.Sleep(1100);
            File.WriteAllBytes(weights, TestNpy.Float32([8, 4], Enumerable.Range(0, 32).Select(i => -0.02f * i).ToArray()));
            Assert.Contains(Generating, Succeeds(Run("cmake", "--build", build)).Output);
            Assert.NotEqual(FirstLoss(first.Output), FirstLoss(Succeeds(ProcessRunner.Run(program, [], root)).Output));
            Assert.DoesNotContain(Generating, Succeeds(Run("cmake", "--build", build)).Output);

            // Edited: the program is built from the new model.
            Thread.Sleep(1100);
            File.WriteAllBytes(weights, TestNpy.Float32([6, 4], new float[24]));
            File.WriteAllText(model, WithWeights(TestModels.Classifier("tiny")).Replace("units: 8", "units: 6", StringComparison.Ordinal));
            Assert.Contains(Generating, Succeeds(Run("cmake", "--build", build)).Output);
            Assert.Contains("params 51", Succeeds(ProcessRunner.Run(program, [], root)).Output); // 4*6+6 + 6*3+3
            Assert.DoesNotContain(Generating, Succeeds(Run("cmake", "--build", build)).Output);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_tool_prints_a_model_error_at_its_line_writes_no_C_and_exits_non_zero()
    {
        var tool = Metadata("AutodiffToolAssembly");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var root = Directory.CreateTempSubdirectory("autodiff-cmake-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "broken.yaml"), TestModels.BrokenModel);
            var result = ProcessRunner.Run(dotnet, [tool, "generate", "broken.yaml", "--board", "host", "--out", "gen"], root);
            Assert.False(result.Succeeded, result.Output);
            Assert.Matches(@"broken\.yaml\(8,\d+\): error AD\d{4}: ", result.Output);
            Assert.False(File.Exists(Path.Combine(root, "gen", "broken", "broken.c")));

            var check = ProcessRunner.Run(dotnet, [tool, "check", "broken.yaml"], root);
            Assert.Equal(result.ExitCode, check.ExitCode);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string WithWeights(string model) =>
        model.Replace("name: fc1 }", "name: fc1, weights: fc1.npy }", StringComparison.Ordinal);

    private static string FirstLoss(string output) => output.Split('\n').First(l => l.StartsWith("step 0 loss", StringComparison.Ordinal));

    private static ProcessResult Run(string program, params string[] arguments) =>
        ProcessRunner.Run(program, arguments, Path.GetTempPath(), timeout: TimeSpan.FromMinutes(5));

    private static ProcessResult Succeeds(ProcessResult result)
    {
        Assert.True(result.Succeeded, result.Output);
        return result;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, tool)));
}
