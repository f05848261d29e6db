namespace Autodiff.Sdk.Tests;

/// <summary>
/// The firmware console (board.yaml <c>console:</c>, <c>AutodiffConsole</c>): the UART console in
/// QEMU, semihosting only when asked for, and a firmware's own <c>_write</c> replacing the SDK's.
/// Needs arm-none-eabi-gcc with newlib and qemu-system-arm.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class ConsoleTests(SdkPackageFixture sdk)
{
    [Fact]
    public void Sample_firmware_runs_with_the_uart_console_on_stm32f4_in_qemu_without_semihosting()
    {
        var project = sdk.CreateProject("UartFirmware").WithCopyOf("samples/firmware");

        var result = project.Build("-p:Board=stm32f4", "-p:AutodiffConsole=uart", "-t:Run", "-v:n");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "held-out accuracy");
        BuildAssert.OutputMatches(result, @"UartFirmware\.elf in QEMU \(netduinoplus2\) exited with code 0");
        // -v:n shows the QEMU command line: USART2 is QEMU's second serial device, on its standard output.
        BuildAssert.OutputMatches(result, @"qemu-system-arm -M netduinoplus2 -nographic -monitor none -serial null -serial stdio -kernel \S+UartFirmware\.elf");
        Assert.DoesNotContain("semihosting-config", result.Output);
        var map = File.ReadAllText(Path.Combine(project.OutputDirectory("stm32f4"), "UartFirmware.map"));
        Assert.Contains("usart2.c.o", map);
        Assert.DoesNotContain("semihost", map);
    }

    [Fact]
    public void A_firmware_with_its_own_write_replaces_the_sdks_and_its_exit_code_still_ends_the_run()
    {
        // printf reaches this _write, not the console; main checks what arrived.
        var project = sdk.CreateProject("OwnWrite")
            .WithProjectFile()
            .WithFile("main.c", """
                #include <stdio.h>
                #include <string.h>

                static char captured[64];
                static size_t used;

                int _write(int fd, const char *data, int length);

                int _write(int fd, const char *data, int length)
                {
                    (void)fd;
                    if (used + (size_t)length < sizeof captured) {
                        memcpy(captured + used, data, (size_t)length);
                        used += (size_t)length;
                    }
                    return length;
                }

                int main(void)
                {
                    printf("to my own write %d\n", 7);
                    fflush(stdout);
                    return strcmp(captured, "to my own write 7\n") == 0 ? 4 : 9;
                }
                """);

        var result = project.Build("-p:Board=stm32f4", "-t:Run");

        BuildAssert.Failed(result);
        Assert.DoesNotContain("multiple definition", result.Output);
        Assert.DoesNotContain("to my own write", result.Output);
        BuildAssert.OutputMatches(result, @"error AD4402: OwnWrite\.elf in QEMU \(netduinoplus2\) exited with code 4");
    }
}
