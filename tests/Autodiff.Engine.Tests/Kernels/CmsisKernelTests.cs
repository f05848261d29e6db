using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.Kernels;

/// <summary>
/// The kernels of kernels/cmsis against plain reference loops over many shapes, on the Cortex-M55
/// (Helium code) and the Cortex-M4F (the non-MVE C), at several optimisation levels, in QEMU
/// (kernels/cmsis/test/run.sh). Needs the CMSIS trees the families list (CMSIS_*_ROOT).
/// </summary>
public class CmsisKernelTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Cmsis_kernels_match_reference_loops_on_cortex_m55_and_stm32f4_in_QEMU()
    {
        var missing = ArmFirmware.MissingPrerequisite();
        Skip.If(missing is not null, missing);
        Skip.If(!ArmFirmware.Cmsis.HasNn, "CMSIS-NN not found; set CMSIS_NN_ROOT to a CMSIS-NN checkout");
        var (exitCode, stdout, stderr) = ArmFirmware.RunScript("kernels/cmsis/test/run.sh");
        output.WriteLine(stdout + stderr);
        Assert.True(exitCode == 0, $"run.sh exited with {exitCode}:\n{stdout}\n{stderr}");
        Assert.Matches(@"(?m)^cmsis kernels: \d+ cases passed$", stdout);
    }
}
