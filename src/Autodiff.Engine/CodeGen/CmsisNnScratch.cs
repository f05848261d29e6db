namespace Autodiff.Engine.CodeGen;

/// <summary>Which of CMSIS-NN's code paths a core compiles: the DSP extension (Cortex-M4/M7/M33) or Helium (Cortex-M55/M85).</summary>
public enum CmsisNnTarget { Dsp, Mve }

/// <summary>
/// The scratch bytes CMSIS-NN's s8 layers ask for (their <c>*_get_buffer_size</c>), computed at build time so the
/// memory planner can give each int8 layer of <c>kernels/cmsis/int8.c</c> exactly what the kernel will check for at
/// run time. These are the formulas of CMSIS-NN's host variants (<c>*_get_buffer_size_dsp</c>, <c>*_get_buffer_size_mve</c>)
/// as GCC compiles them: two of CMSIS-NN's numbers depend on the compiler, and this project builds with
/// arm-none-eabi-gcc (with Arm Compiler 6 the 1x1 fast convolution asks for 4·in_c bytes on DSP cores and a depthwise
/// conv of one input channel becomes a conv only above 8 output channels). <c>CmsisNnScratchTests</c> compiles CMSIS-NN's
/// own functions on the host and compares them with these over hundreds of geometries.
/// </summary>
/// <remarks>
/// One deliberate difference from CMSIS-NN's numbers: where its Helium 1xN convolution gives wrong results
/// (<see cref="OneByNMveIsWrong"/>), int8.c calls another CMSIS-NN kernel and this plans that kernel's buffer.
/// Padding is CMSIS-NN's (left, top); "same" padding puts the odd extra row or column at the bottom or right, as
/// TensorFlow does, which is what CMSIS-NN's 1xN kernel for Helium expects. Dilation is always 1.
/// </remarks>
public static class CmsisNnScratch
{
    // CMSIS-NN's CH_IN_BLOCK_MVE: the channels its Helium depthwise kernel handles per block.
    private const int ChannelBlockMve = 124;

    // CMSIS-NN's CONVERT_DW_CONV_WITH_ONE_INPUT_CH_AND_OUTPUT_CH_ABOVE_THRESHOLD when not built by Arm Compiler 6.
    private const int OneInputChannelToConvAbove = 1;

    /// <summary>Bytes <c>arm_convolve_wrapper_s8_get_buffer_size</c> returns for these dims on the target.</summary>
    public static int Conv(CmsisNnTarget target, int batch, int inH, int inW, int inC, int outH, int outW, int outC,
        int kH, int kW, int strideH, int strideW, int padTop, int padLeft)
    {
        _ = batch; _ = outH; _ = outC; _ = strideH;
        // arm_nn_is_convolve_1x1: no padding, a 1x1 kernel. Its fast (unit stride) kernel takes a buffer only with
        // Arm Compiler 6 on DSP cores; the strided one none.
        if (padTop == 0 && padLeft == 0 && kH == 1 && kW == 1) return 0;
        // arm_nn_is_convolve_1_x_n: one input row, a one-row kernel, whole words per stride step.
        if (target == CmsisNnTarget.Dsp) return Im2colDsp(inC, kH, kW); // the 1xN kernel is arm_convolve_s8 there
        if (inH == 1 && kH == 1 && strideW * inC % 4 == 0)
            return OneByNMveIsWrong(inW, outW, kW, strideW, padLeft) ? Im2colMve(inC, kH, kW) : OneByNMve(inW, inC, outW, kW, strideW, padLeft);
        return Im2colMve(inC, kH, kW);
    }

    /// <summary>
    /// Whether CMSIS-NN's Helium 1xN kernel (<c>arm_convolve_1_x_n_s8</c>, for a one-row input and kernel) gets this row
    /// wrong: it builds the edge rows of its im2col for TF "same" padding of at most one column per side, so more total
    /// padding than 2, a left pad other than half of it, or a last window stopping short of the input's end (valid
    /// padding with columns left over) give wrong sums. <c>kernels/cmsis/int8.c</c> runs <c>arm_convolve_s8</c> for these
    /// (planned here with its buffer size, in place of the wrapper's), and for a depthwise conv of one input channel, which
    /// the wrapper would make such a conv, the generic depthwise kernel (no buffer).
    /// </summary>
    public static bool OneByNMveIsWrong(int inW, int outW, int kW, int strideW, int padLeft)
    {
        var total = (outW - 1) * strideW + kW - inW;
        return !(total >= 0 && total <= 2 && padLeft == total / 2);
    }

    /// <summary>Bytes <c>arm_depthwise_conv_wrapper_s8_get_buffer_size</c> returns for these dims on the target
    /// (weights [k_h, k_w, outC], outC = inC·chMult).</summary>
    public static int Depthwise(CmsisNnTarget target, int batch, int inH, int inW, int inC, int outH, int outW, int outC,
        int kH, int kW, int strideH, int strideW, int padTop, int padLeft, int chMult)
    {
        _ = chMult;
        // The "opt" kernel (one multiplier per channel, one sample) is the one that takes a buffer.
        var opt = inC == outC && batch == 1;
        if (target == CmsisNnTarget.Dsp)
        {
            if (!opt) return 0;
            // The 3x3 kernel for padding up to 1 needs none; the opt kernel keeps a column of int16 per channel.
            if (kW == 3 && kH == 3 && padTop <= 1 && padLeft <= 1) return 0;
            return inC * kW * kH * sizeof(short);
        }
        var size = opt ? 4 * ChannelBlockMve * kW * kH : 0;
        // One input channel: the wrapper runs a conv of the weights transposed into the buffer, after the conv's own.
        if (inC == 1 && outC > OneInputChannelToConvAbove)
        {
            var oneByOne = padTop == 0 && padLeft == 0 && kH == 1 && kW == 1;
            if (!oneByOne && inH == 1 && kH == 1 && strideW % 4 == 0 && OneByNMveIsWrong(inW, outW, kW, strideW, padLeft))
                return 0; // int8.c runs arm_depthwise_conv_s8 instead of the wrapper's conv
            var toConv = Conv(CmsisNnTarget.Mve, batch, inH, inW, 1, outH, outW, outC, kH, kW, strideH, strideW, padTop, padLeft)
                         + outC * kH * kW;
            if (toConv > size) return toConv;
        }
        return size;
    }

    /// <summary>Bytes <c>arm_fully_connected_s8_get_buffer_size</c> returns: Helium's kernel sums, one int32 per unit.</summary>
    public static int Linear(CmsisNnTarget target, int batch, int inFeatures, int units)
    {
        _ = batch; _ = inFeatures;
        return target == CmsisNnTarget.Mve ? units * sizeof(int) : 0;
    }

    /// <summary>Bytes <c>arm_avgpool_s8_get_buffer_size</c> returns: on DSP cores one int32 sum per channel.</summary>
    public static int AvgPool(CmsisNnTarget target, int outW, int channels)
    {
        _ = outW;
        return target == CmsisNnTarget.Dsp ? channels * sizeof(int) : 0;
    }

    /// <summary><c>arm_max_pool_s8</c> takes no buffer.</summary>
    public static int MaxPool(CmsisNnTarget target) => 0;

    // arm_convolve_s8_get_buffer_size on a DSP core: two im2col columns of int16, rows padded to whole words.
    private static int Im2colDsp(int inC, int kH, int kW)
    {
        var cols = kW * kH * inC;
        var aligned = cols % 4 != 0 ? cols + 4 - cols % 4 : cols;
        return 2 * aligned * sizeof(short);
    }

    // arm_convolve_s8_get_buffer_size_mve: four im2col columns of int8, each a whole number of 16-byte vectors.
    private static int Im2colMve(int inC, int kH, int kW) => 4 * ((inC * kW * kH + 15) / 16) * 16;

    // arm_convolve_1_x_n_s8_get_buffer_size_mve: one padded im2col row for the left or right edge, or the im2col size
    // when the edges do not split the row as the kernel expects. C's truncating / and % (C# does the same).
    private static int OneByNMve(int inW, int inC, int outW, int kW, int strideW, int padLeft)
    {
        var totalPad = (outW - 1) * strideW + kW - inW;
        var asymPad = totalPad % 2;
        var rightPadNum = padLeft + asymPad != 0 ? Math.Max(1, (padLeft + asymPad + strideW - 1) / strideW) : 0;
        var leftPadNum = padLeft != 0 ? Math.Max(1, (padLeft + strideW - 1) / strideW) : 0;
        var noPadNum = Math.Max(outW - (rightPadNum + leftPadNum), 0);
        if (rightPadNum + noPadNum + leftPadNum != outW) return Im2colMve(inC, 1, kW);
        var padSizeLeft = padLeft * inC;
        var padSizeRight = asymPad != 0 ? rightPadNum * inC : padSizeLeft;
        var numElemLeft = kW * inC;
        var numElemRight = numElemLeft - inC;
        return Math.Max(numElemLeft + padSizeLeft, numElemRight + padSizeRight);
    }
}
