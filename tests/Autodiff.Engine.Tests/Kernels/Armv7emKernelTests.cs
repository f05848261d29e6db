using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.Kernels;

/// <summary>
/// The armv7em kernels against plain fmaf loops, bit for bit, over thousands of shapes, batches and
/// pointer offsets, at -O2, -Og, -O0 and -Os on a Cortex-M4F and at -O2 on a Cortex-M7, in QEMU
/// (kernels/armv7em/test/run.sh).
/// </summary>
public class Armv7emKernelTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Armv7em_linear_kernels_match_plain_fused_multiply_add_loops_in_QEMU()
    {
        foreach (var tool in new[] { "arm-none-eabi-gcc", "qemu-system-arm" })
            Skip.If(!ArmFirmware.OnPath(tool), $"{tool} not found on PATH (Debian/Ubuntu: gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm)");
        var (exitCode, stdout, stderr) = ArmFirmware.RunScript("kernels/armv7em/test/run.sh", "--no-bench");
        output.WriteLine(stdout + stderr);
        Assert.True(exitCode == 0, $"run.sh exited with {exitCode}:\n{stdout}\n{stderr}");
        Assert.Matches(@"(?m)^armv7em linear: \d+ cases passed$", stdout);
    }
}
