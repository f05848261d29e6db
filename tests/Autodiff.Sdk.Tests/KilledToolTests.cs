namespace Autodiff.Sdk.Tests;

/// <summary>
/// A build killed while gcc, the linker or objcopy writes must leave nothing a later build takes as
/// complete: the next build produces a correct image, and <c>-question</c> passes only once outputs
/// are complete and current. The kill is made deterministic by a wrapper around the real tool: when a
/// marker file exists it lets the tool finish, cuts its output short as a kill mid-write would, and
/// SIGKILLs the build that started it and itself, so no task gets to clean up.
/// </summary>
[Collection(SdkCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes and /bin/sh tools
public sealed class KilledToolTests(SdkPackageFixture sdk)
{
    [Fact]
    public void A_build_killed_while_compiling_leaves_no_object_the_next_build_trusts()
    {
        var project = TinyProject("KilledCompile");
        var compiler = Wrapper(project, "gcc", RealTool("gcc"), "compile",
            condition: """case " $* " in *" -c "*main.c*) true ;; *) false ;; esac""", output: OptionValue("-o"));
        var useWrapper = $"-p:AutodiffHostCompiler={compiler}";
        BuildAssert.Succeeded(project.Build(useWrapper));

        project.WithFile("main.c", TestModels.MainTraining(0, "tiny") + "\n/* edited */\n");
        Arm(project, "compile");
        Assert.False(project.Build(useWrapper).Succeeded, "the killed build should have failed");
        Assert.False(File.Exists(Marker(project, "compile")), "the wrapper did not run");

        AssertRecovers(project, useWrapper);
    }

    [Fact]
    public void A_build_killed_while_linking_leaves_no_image_the_next_build_trusts()
    {
        var project = TinyProject("KilledLink");
        var compiler = Wrapper(project, "gcc", RealTool("gcc"), "link",
            condition: """case " $* " in *" -c "*) false ;; *) true ;; esac""", output: OptionValue("-o"));
        var useWrapper = $"-p:AutodiffHostCompiler={compiler}";
        BuildAssert.Succeeded(project.Build(useWrapper));

        project.WithFile("main.c", TestModels.MainTraining(0, "tiny") + "\n/* edited */\n");
        Arm(project, "link");
        Assert.False(project.Build(useWrapper).Succeeded, "the killed build should have failed");
        Assert.False(File.Exists(Marker(project, "link")), "the wrapper did not run");

        AssertRecovers(project, useWrapper);
    }

    [Fact]
    public void A_build_killed_while_objcopy_writes_leaves_no_binary_the_next_build_trusts()
    {
        var project = TinyProject("KilledObjcopy");
        // A toolchain folder of our own: the real gcc, and objcopy behind the killing wrapper.
        var bin = project.PathOf("toolchain/bin");
        Directory.CreateDirectory(bin);
        var gcc = Path.Combine(bin, "arm-none-eabi-gcc");
        File.WriteAllText(gcc, $"#!/bin/sh\nexec '{RealTool("arm-none-eabi-gcc")}' \"$@\"\n");
        File.SetUnixFileMode(gcc, (UnixFileMode)0b111_101_101);
        var objcopy = Wrapper(project, "toolchain/bin/arm-none-eabi-objcopy", RealTool("arm-none-eabi-objcopy"), "objcopy",
            condition: "true", output: """for a in "$@"; do out="$a"; done""");
        Assert.Equal(Path.Combine(bin, "arm-none-eabi-objcopy"), objcopy);
        string[] arm = ["-p:Board=stm32f4", $"-p:ArmGccPath={project.PathOf("toolchain")}"];
        var binary = Path.Combine(project.OutputDirectory("stm32f4"), "KilledObjcopy.bin");
        BuildAssert.Succeeded(project.Build(arm));
        var complete = File.ReadAllBytes(binary);

        File.Delete(binary);
        Arm(project, "objcopy");
        Assert.False(project.Build(arm).Succeeded, "the killed build should have failed");
        Assert.False(File.Exists(Marker(project, "objcopy")), "the wrapper did not run");

        Assert.False(project.Build([.. arm, "-question"]).Succeeded, "-question passed with a cut-off .bin");
        BuildAssert.Succeeded(project.Build(arm));
        Assert.Equal(complete, File.ReadAllBytes(binary));
        BuildAssert.Succeeded(project.Build([.. arm, "-question"]));
        Assert.Empty(Directory.EnumerateFiles(project.OutputDirectory("stm32f4"), "*.tmp"));
    }

    /// <summary>After the kill: not up to date, then a build that runs correctly, then up to date with no temporaries left.</summary>
    private static void AssertRecovers(FirmwareProject project, string useWrapper)
    {
        Assert.False(project.Build(useWrapper, "-question").Succeeded, "-question passed after the killed build");
        var run = project.Build(useWrapper, "-t:Run");
        BuildAssert.Succeeded(run);
        BuildAssert.OutputContains(run, "tiny step 4 loss");
        BuildAssert.Succeeded(project.Build(useWrapper, "-question"));
        Assert.Empty(Directory.EnumerateFiles(project.PathOf("obj"), "*.tmp", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(project.PathOf("bin"), "*.tmp", SearchOption.AllDirectories));
    }

    private FirmwareProject TinyProject(string name) =>
        sdk.CreateProject(name)
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));

    private static string Marker(FirmwareProject project, string step) => project.PathOf($"kill-{step}");

    private static void Arm(FirmwareProject project, string step) => File.WriteAllText(Marker(project, step), "");

    /// <summary>Shell that sets <c>out</c> to the value following <paramref name="option"/>.</summary>
    private static string OptionValue(string option) =>
        $$"""prev=""; for a in "$@"; do [ "$prev" = "{{option}}" ] && out="$a"; prev="$a"; done""";

    /// <summary>
    /// Writes an executable wrapper around <paramref name="real"/>. While the marker of
    /// <paramref name="step"/> exists and <paramref name="condition"/> holds, it removes the marker,
    /// runs the tool, cuts the output (found by <paramref name="output"/>) to 64 bytes and SIGKILLs
    /// its parent (the build, or the shell Exec started) and itself.
    /// </summary>
    private static string Wrapper(FirmwareProject project, string relativePath, string real, string step, string condition, string output)
    {
        var path = project.PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $$"""
            #!/bin/sh
            out=""
            {{output}}
            if [ -e '{{Marker(project, step)}}' ] && { {{condition}}; }; then
              rm -f '{{Marker(project, step)}}'
              '{{real}}' "$@"
              head -c 64 "$out" > "$out.cut" && mv "$out.cut" "$out"
              kill -9 $PPID
              kill -9 $$
            fi
            exec '{{real}}' "$@"
            """.Replace("\r\n", "\n"));
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    private static string RealTool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} is not on PATH");
}
