namespace Autodiff.Sdk.Tests;

/// <summary>
/// Cortex-M boards: firmware images, the memory report, and runs in QEMU. These need
/// arm-none-eabi-gcc with newlib and qemu-system-arm (Debian: gcc-arm-none-eabi,
/// libnewlib-arm-none-eabi, qemu-system-arm).
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class ArmBoardTests(SdkPackageFixture sdk)
{
    [Fact]
    public void Stm32f4_build_writes_elf_bin_and_map_and_reports_memory_use()
    {
        var project = sdk.CreateProject("Stm32Image")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));

        var result = project.Build("-p:Board=stm32f4");

        BuildAssert.Succeeded(result);
        foreach (var extension in new[] { ".elf", ".bin", ".map" })
            Assert.True(File.Exists(Path.Combine(project.OutputDirectory("stm32f4"), "Stm32Image" + extension)), $"no {extension}");
        BuildAssert.OutputMatches(result, @"Autodiff: tiny \(board stm32f4, 131072 B RAM, budget 114688 B\)");
        BuildAssert.OutputContains(result, "arena");
        BuildAssert.OutputMatches(result, @"Firmware: \.text [\d.]+ KiB / 1024 KiB flash · \.data\+\.bss [\d.]+ KiB / 128 KiB RAM");
        BuildAssert.Succeeded(project.Build("-p:Board=stm32f4", "-question"));
    }

    [Theory]
    [InlineData("stm32f4")]
    [InlineData("lm3s6965")]
    public void Sample_firmware_trains_and_passes_in_qemu(string board)
    {
        var project = sdk.CreateProject("Firmware").WithCopyOf("samples/firmware");

        var result = project.Build("-p:Board=" + board, "-t:Run");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "held-out accuracy");
        BuildAssert.OutputMatches(result, @"Firmware\.elf in QEMU \(\w+\) exited with code 0");
    }

    [Fact]
    public void The_exit_code_of_main_in_qemu_fails_the_run()
    {
        var project = sdk.CreateProject("QemuExitCode")
            .WithProjectFile()
            .WithFile("main.c", "#include <stdio.h>\nint main(void)\n{\n    printf(\"about to fail\\n\");\n    return 5;\n}\n");

        var result = project.Build("-p:Board=lm3s6965", "-t:Run");

        BuildAssert.Failed(result);
        BuildAssert.OutputContains(result, "about to fail");
        BuildAssert.OutputMatches(result, @"error AD4402: .*exited with code 5");
    }

    [Fact]
    public void Firmware_too_large_for_ram_fails_with_the_overflow()
    {
        var project = sdk.CreateProject("RamOverflow")
            .WithProjectFile()
            .WithFile("main.c", "static volatile char buffer[80 * 1024];\nint main(void)\n{\n    buffer[0] = 1;\n    return buffer[1];\n}\n");

        var result = project.Build("-p:Board=lm3s6965");

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"error AD3901: .*lm3s6965.*RAM.*overflowed by \d+ bytes");
    }

    [Theory]
    [InlineData("stm32f7")]
    [InlineData("nrf52840")]
    [InlineData("rp2040")]
    public void Build_only_boards_build_but_refuse_to_run(string board)
    {
        var project = sdk.CreateProject("BuildOnly")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));

        BuildAssert.Succeeded(project.Build("-p:Board=" + board));
        var run = project.Build("-p:Board=" + board, "-t:Run");

        BuildAssert.Failed(run);
        BuildAssert.OutputContains(run, "error AD4401");
    }
}
