using System.Globalization;

namespace Autodiff.Engine.Ops.Int8;

/// <summary>
/// The build-time constants of one int8 layer with weights (conv, depthwise conv, linear), in
/// CMSIS-NN's terms: symmetric int8 weights per output channel, int32 bias at scale
/// input·weight, and per channel the real multiplier input·weight/output as Q31 + shift.
/// </summary>
public sealed record Int8LayerData(
    sbyte[] Weight,
    int[]? Bias,
    int[] Multiplier,
    int[] Shift,
    QuantParams Input,
    QuantParams Output,
    int ActMin,
    int ActMax)
{
    public int InputOffset => -Input.ZeroPoint;
    public int OutputOffset => Output.ZeroPoint;
    public int Channels => Multiplier.Length;

    /// <summary>Weights and biases.</summary>
    public long ParameterCount => Weight.Length + (Bias?.Length ?? 0);

    /// <summary>Bytes in flash: weights, bias, multipliers and shifts.</summary>
    public long FlashBytes => Weight.Length + 4L * ((Bias?.Length ?? 0) + Multiplier.Length + Shift.Length);

    /// <summary>
    /// Quantises float weights (<paramref name="channelOf"/> gives each weight's output channel) and
    /// bias for this input and output quantisation; <paramref name="reluFloor"/> clamps the output
    /// at real 0 (a ReLU folded into the layer).
    /// </summary>
    public static Int8LayerData Quantize(float[] weight, float[]? bias, int channels, Func<int, int> channelOf,
        QuantParams input, QuantParams output, bool reluFloor)
    {
        var maxAbs = new double[channels];
        for (var i = 0; i < weight.Length; i++) maxAbs[channelOf(i)] = Math.Max(maxAbs[channelOf(i)], Math.Abs(weight[i]));
        // A channel of zeros keeps a tiny scale so its (zero) weights stay zero.
        var weightScale = maxAbs.Select(m => m > 0 ? m / 127.0 : 1e-8).ToArray();
        var q = new sbyte[weight.Length];
        for (var i = 0; i < weight.Length; i++)
            q[i] = (sbyte)Math.Clamp(Math.Round(weight[i] / weightScale[channelOf(i)], MidpointRounding.AwayFromZero), -127, 127);
        int[]? qBias = null;
        if (bias is not null)
        {
            qBias = new int[channels];
            for (var c = 0; c < channels; c++)
                qBias[c] = (int)Math.Clamp(Math.Round(bias[c] / (input.Scale * weightScale[c]), MidpointRounding.AwayFromZero), int.MinValue + 1, int.MaxValue);
        }
        var multiplier = new int[channels];
        var shift = new int[channels];
        for (var c = 0; c < channels; c++)
            (multiplier[c], shift[c]) = Int8Arithmetic.QuantizeMultiplier(input.Scale * weightScale[c] / output.Scale);
        var actMin = reluFloor ? Math.Max(-128, output.ZeroPoint) : -128;
        return new Int8LayerData(q, qBias, multiplier, shift, input, output, actMin, 127);
    }

    /// <summary>acc (bias and products, int32) → the int8 output of channel <paramref name="c"/>.</summary>
    public int Finish(int acc, int c)
    {
        var v = Int8Arithmetic.Requantize(acc, Multiplier[c], Shift[c]) + OutputOffset;
        return Math.Clamp(v, ActMin, ActMax);
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"in {Input}, out {Output}{(ActMin > -128 ? ", relu" : "")}");
}
