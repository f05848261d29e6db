using System.Text.RegularExpressions;

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
        // 60 KiB in the CCM, kept by -u: not part of the 128 KiB RAM the report totals.
        var project = sdk.CreateProject("Stm32Image")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"))
            .WithFile("ccm.c", "__attribute__((section(\".ccm\"))) char ccm_buffer[60 * 1024];\n");
        const string keepCcm = "-p:AutodiffLdFlags=-u ccm_buffer";

        var result = project.Build("-p:Board=stm32f4", keepCcm);

        BuildAssert.Succeeded(result);
        foreach (var extension in new[] { ".elf", ".bin", ".map" })
            Assert.True(File.Exists(Path.Combine(project.OutputDirectory("stm32f4"), "Stm32Image" + extension)), $"no {extension}");
        Assert.Matches(@"\n\.ccm\s+0x0*10000000\s+0xf000",
            File.ReadAllText(Path.Combine(project.OutputDirectory("stm32f4"), "Stm32Image.map")));
        BuildAssert.OutputMatches(result, @"Autodiff: tiny \(board stm32f4, 131072 B RAM, budget 114688 B\)");
        BuildAssert.OutputContains(result, "arena");
        var ram = Regex.Match(result.Output, @"Firmware: \.text [\d.]+ KiB / 1024 KiB flash · \.data\+\.bss (?<ram>[\d.]+) KiB / 128 KiB RAM");
        Assert.True(ram.Success, result.Output);
        Assert.True(double.Parse(ram.Groups["ram"].Value, System.Globalization.CultureInfo.InvariantCulture) < 20, "the CCM was counted as RAM:\n" + result.Output);
        BuildAssert.Succeeded(project.Build("-p:Board=stm32f4", keepCcm, "-question"));
    }

    [Theory]
    [InlineData("stm32f4")]
    [InlineData("lm3s6965")]
    [InlineData("cortex-m7")]
    public void Sample_firmware_trains_and_passes_in_qemu(string board)
    {
        var project = sdk.CreateProject("Firmware").WithCopyOf("samples/firmware");

        var result = project.Build("-p:Board=" + board, "-t:Run");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "held-out accuracy");
        BuildAssert.OutputMatches(result, @"Firmware\.elf in QEMU \([\w-]+\) exited with code 0");
    }

    [Theory]
    [InlineData("stm32f4")]
    [InlineData("lm3s6965")]
    public void In_qemu_constructors_run_stdio_is_flushed_and_the_exit_code_of_main_fails_the_run(string board)
    {
        var project = sdk.CreateProject("QemuExitCode")
            .WithProjectFile()
            .WithFile("main.c", """
                #include <stdio.h>

                static int constructed;

                __attribute__((constructor)) static void construct(void)
                {
                    constructed = 42;
                }

                int main(void)
                {
                    printf("about to fail, constructed %d\n", constructed);
                    printf("TAIL-WITHOUT-NEWLINE");
                    return 5;
                }
                """);

        var result = project.Build("-p:Board=" + board, "-t:Run");

        BuildAssert.Failed(result);
        BuildAssert.OutputContains(result, "about to fail, constructed 42");
        BuildAssert.OutputContains(result, "TAIL-WITHOUT-NEWLINE");
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
        if (board == "rp2040")
        {
            // The first 256 bytes of the RP2040's flash are the second-stage bootloader's.
            Assert.Matches(@"\n\.isr_vector\s+0x0*10000100\b",
                File.ReadAllText(Path.Combine(project.OutputDirectory(board), "BuildOnly.map")));
        }
    }
}
