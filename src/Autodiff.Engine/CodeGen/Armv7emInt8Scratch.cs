namespace Autodiff.Engine.CodeGen;

/// <summary>
/// The scratch bytes the int8 layers of <c>kernels/armv7em/int8.c</c> check for at run time (its <c>ad7_conv_scratch</c>
/// and the linear layer's test), computed at build time so the memory planner gives each layer exactly that. With less
/// the kernel runs the shared C and counts the call in <c>ad_int8_fallbacks</c>; <c>kernels/armv7em/test/test_int8.c</c>
/// checks that these sizes are enough and never exceeded.
/// </summary>
public static class Armv7emInt8Scratch
{
    /// <summary>
    /// A convolution of patch length K = kH·kW·inC in groups of four (the last one zero-padded): four im2col patches
    /// unpacked to int16 pairs (32 bytes per group), an int8 staging patch for padded or non-contiguous windows and a
    /// padded copy of the last filter's weights (4 bytes per group each), and per output channel 36 bytes of
    /// requantisation constants and sums and 4 output bytes for a last block of fewer than four pixels (the kernel's
    /// <c>ad7_conv_scratch</c>).
    /// </summary>
    public static int Conv(int inC, int kH, int kW, int outC)
    {
        var groups = (kH * kW * inC + 3) / 4;
        return 40 * groups + 40 * outC;
    }

    /// <summary>A fully connected layer: one input sample unpacked to int16.</summary>
    public static int Linear(int inFeatures) => 2 * inFeatures;

    /// <summary>Depthwise convolution and pooling work in registers.</summary>
    public const int None = 0;
}
