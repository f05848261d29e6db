using System.Globalization;
using System.Text;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Tests.CodeGen;
using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.Kernels;

/// <summary>
/// <see cref="CmsisNnScratch"/> against CMSIS-NN's own buffer-size functions: a host program compiled with gcc from
/// CMSIS-NN's get_buffer_sizes sources prints what its <c>*_get_buffer_size_dsp</c> and <c>*_get_buffer_size_mve</c>
/// variants return over a few hundred geometries, and each number must equal the engine's. kernels/cmsis/int8.c checks
/// the same numbers at run time (on the target's own build of these functions), so a mismatch would make a firmware
/// silently run the portable code. Needs CMSIS_NN_ROOT and gcc.
/// </summary>
public class CmsisNnScratchTests(ITestOutputHelper output)
{
    // For each input line "kind b ih iw ic oh ow oc kh kw sh sw pt pl cm" prints "dsp mve". The one place int8.c does
    // not take the wrapper's number, CMSIS-NN's Helium 1xN convolution on geometries it gets wrong (see
    // CmsisNnScratch.OneByNMveIsWrong and int8.c), is restated here on its own: a conv takes arm_convolve_s8's buffer
    // there, a depthwise conv of one input channel (which the wrapper turns into a conv) none.
    private const string Program = """
        #include <stdio.h>
        #include "arm_nnfunctions.h"

        static int one_by_n_wrong(int ih, int iw, int ic, int ow, int kh, int kw, int sw, int pt, int pl)
        {
            const int total = (ow - 1) * sw + kw - iw;
            if (pt == 0 && pl == 0 && kh == 1 && kw == 1) return 0;
            if (!(ih == 1 && kh == 1 && (sw * ic) % 4 == 0)) return 0;
            return !(total >= 0 && total <= 2 && pl == total / 2);
        }

        int main(void)
        {
            char kind;
            int b, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, pt, pl, cm;
            while (scanf(" %c %d %d %d %d %d %d %d %d %d %d %d %d %d %d", &kind, &b, &ih, &iw, &ic, &oh, &ow, &oc, &kh, &kw,
                         &sh, &sw, &pt, &pl, &cm) == 15) {
                const cmsis_nn_dims input = { b, ih, iw, ic }, output = { b, oh, ow, oc };
                long dsp = -1, mve = -1;
                if (kind == 'c') {
                    const cmsis_nn_conv_params conv = { 0, 0, { sw, sh }, { pl, pt }, { 1, 1 }, { -128, 127 } };
                    const cmsis_nn_dims filter = { oc, kh, kw, ic };
                    dsp = arm_convolve_wrapper_s8_get_buffer_size_dsp(&conv, &input, &filter, &output);
                    mve = one_by_n_wrong(ih, iw, ic, ow, kh, kw, sw, pt, pl)
                        ? arm_convolve_s8_get_buffer_size_mve(&input, &filter)
                        : arm_convolve_wrapper_s8_get_buffer_size_mve(&conv, &input, &filter, &output);
                } else if (kind == 'd') {
                    const cmsis_nn_dw_conv_params dw = { 0, 0, cm, { sw, sh }, { pl, pt }, { 1, 1 }, { -128, 127 } };
                    const cmsis_nn_dims filter = { 1, kh, kw, oc };
                    dsp = arm_depthwise_conv_wrapper_s8_get_buffer_size_dsp(&dw, &input, &filter, &output);
                    mve = ic == 1 && oc > 1 && one_by_n_wrong(ih, iw, 1, ow, kh, kw, sw, pt, pl)
                        ? 0 : arm_depthwise_conv_wrapper_s8_get_buffer_size_mve(&dw, &input, &filter, &output);
                } else if (kind == 'l') {
                    const cmsis_nn_dims filter = { ic, 1, 1, oc };
                    dsp = arm_fully_connected_s8_get_buffer_size_dsp(&filter);
                    mve = arm_fully_connected_s8_get_buffer_size_mve(&filter);
                } else if (kind == 'a') {
                    dsp = arm_avgpool_s8_get_buffer_size_dsp(ow, ic);
                    mve = arm_avgpool_s8_get_buffer_size_mve(ow, ic);
                }
                printf("%ld %ld\n", dsp, mve);
            }
            return 0;
        }
        """;

    private static readonly string[] Sources =
    [
        "Source/ConvolutionFunctions/arm_convolve_get_buffer_sizes_s8.c",
        "Source/ConvolutionFunctions/arm_depthwise_conv_get_buffer_sizes_s8.c",
        "Source/FullyConnectedFunctions/arm_fully_connected_get_buffer_sizes_s8.c",
        "Source/PoolingFunctions/arm_avgpool_get_buffer_sizes_s8.c",
    ];

    private sealed record Geometry(char Kind, int Batch, int InH, int InW, int InC, int OutH, int OutW, int OutC,
        int KH, int KW, int StrideH, int StrideW, int PadTop, int PadLeft, int ChMult)
    {
        public string Line => string.Join(' ', new object[] { Kind, Batch, InH, InW, InC, OutH, OutW, OutC, KH, KW, StrideH, StrideW, PadTop, PadLeft, ChMult }
            .Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

        public int Expected(CmsisNnTarget t) => Kind switch
        {
            'c' => CmsisNnScratch.Conv(t, Batch, InH, InW, InC, OutH, OutW, OutC, KH, KW, StrideH, StrideW, PadTop, PadLeft),
            'd' => CmsisNnScratch.Depthwise(t, Batch, InH, InW, InC, OutH, OutW, OutC, KH, KW, StrideH, StrideW, PadTop, PadLeft, ChMult),
            'l' => CmsisNnScratch.Linear(t, Batch, InC, OutC),
            _ => CmsisNnScratch.AvgPool(t, OutW, InC),
        };
    }

    [SkippableFact]
    public void Scratch_sizes_equal_CMSIS_NN_get_buffer_size_on_DSP_and_Helium()
    {
        var nn = CmsisRoots.Find(null, null, null).Nn;
        Skip.If(nn is null, $"CMSIS-NN not found; set {CmsisRoots.NnVariable} to a CMSIS-NN checkout");
        Skip.If(!ArmFirmware.OnPath("gcc"), "gcc not found on PATH");

        var geometries = Geometries(new Random(20261201)).ToList();
        var dir = Directory.CreateTempSubdirectory("autodiff-cmsis-scratch-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "sizes.c"), Program);
            var exe = Path.Combine(dir, "sizes");
            NativeRun.Exec("gcc", ["-std=c99", "-O1", "-isystem", Path.Combine(nn!, "Include"), "sizes.c",
                .. Sources.Select(s => Path.Combine(nn!, s)), "-o", exe], dir);
            var input = Path.Combine(dir, "geometries.txt");
            File.WriteAllLines(input, geometries.Select(g => g.Line));
            var lines = NativeRun.Exec("bash", ["-c", "\"$1\" < \"$2\"", "sizes", exe, input], dir)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(geometries.Count, lines.Length);

            var failures = new StringBuilder();
            var nonZero = 0;
            for (var i = 0; i < geometries.Count; i++)
            {
                var cmsis = lines[i].Split(' ').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                var ours = new[] { geometries[i].Expected(CmsisNnTarget.Dsp), geometries[i].Expected(CmsisNnTarget.Mve) };
                nonZero += cmsis.Count(v => v > 0);
                if (!cmsis.SequenceEqual(ours))
                    failures.AppendLine($"{geometries[i].Line}: CMSIS-NN dsp {cmsis[0]} mve {cmsis[1]}, CmsisNnScratch dsp {ours[0]} mve {ours[1]}");
            }
            output.WriteLine($"{geometries.Count} geometries, {nonZero} non-zero sizes");
            Assert.True(failures.Length == 0, failures.ToString());
            Assert.Equal(0, CmsisNnScratch.MaxPool(CmsisNnTarget.Dsp) + CmsisNnScratch.MaxPool(CmsisNnTarget.Mve));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // Convolutions (1x1, one-row inputs for the 1xN kernels, 3x3 ...), depthwise convolutions (batch 1 and 2, ch_mult 1-3,
    // one input channel), fully connected layers and average pools, with valid and TF "same" padding, strides 1-4.
    private static IEnumerable<Geometry> Geometries(Random r)
    {
        (int Out, int Pad) Axis(bool same, int input, int k, int s)
        {
            if (!same) return ((input - k) / s + 1, 0);
            var o = (input + s - 1) / s;
            return (o, Math.Max((o - 1) * s + k - input, 0) / 2);
        }
        int Channels() => r.Next(3) == 0 ? new[] { 1, 2, 4, 8, 16, 3, 12, 20, 17, 32 }[r.Next(10)] : r.Next(1, 41);

        for (var n = 0; n < 600; n++)
        {
            var kind = "ccdla"[n % 5];
            var batch = r.Next(1, 3);
            var inH = r.Next(3) == 0 ? 1 : r.Next(1, 13);
            var inW = r.Next(1, 13);
            var inC = Channels();
            var kH = r.Next(4) == 0 ? 1 : r.Next(1, 6);
            var kW = r.Next(1, 6);
            if (inH == 1 && r.Next(2) == 0) kH = 1;
            var sH = r.Next(1, 5);
            var sW = r.Next(1, 5);
            var same = r.Next(2) == 0;
            if (!same && (inH < kH || inW < kW)) { same = true; }
            var (outH, padTop) = Axis(same, inH, kH, sH);
            var (outW, padLeft) = Axis(same, inW, kW, sW);
            var chMult = kind == 'd' ? (r.Next(3) == 0 ? r.Next(2, 4) : 1) : 1;
            if (kind == 'd' && r.Next(5) == 0) { inC = 1; chMult = r.Next(2, 9); }
            var outC = kind == 'd' ? inC * chMult : Channels();
            yield return kind switch
            {
                'l' => new Geometry('l', batch, 1, 1, r.Next(1, 300), 1, 1, outC, 1, 1, 1, 1, 0, 0, 1),
                'a' => new Geometry('a', batch, inH, inW, inC, outH, outW, inC, kH, kW, sH, sW, padTop, padLeft, 1),
                _ => new Geometry(kind, batch, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, padTop, padLeft, chMult),
            };
        }
    }
}
