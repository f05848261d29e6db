namespace Autodiff.Engine.Ops.Int8;

/// <summary>
/// How real values map to int8: real = scale · (q − zero point). Activations are asymmetric
/// (TFLite's convention: the calibrated range, widened to hold 0 exactly, spread over −128..127);
/// weights are symmetric per output channel (zero point 0, ±127).
/// </summary>
public sealed record QuantParams(float Scale, int ZeroPoint)
{
    /// <summary>The parameters covering [<paramref name="min"/>, <paramref name="max"/>] (widened to include 0).</summary>
    public static QuantParams FromRange(double min, double max)
    {
        min = Math.Min(min, 0);
        max = Math.Max(max, 0);
        // A range of nothing (a feature that is always 0) still needs a usable scale.
        var scale = (float)Math.Max((max - min) / 255.0, 1e-8);
        var zeroPoint = (int)Math.Round(-128 - min / scale, MidpointRounding.AwayFromZero);
        return new QuantParams(scale, Math.Clamp(zeroPoint, -128, 127));
    }

    /// <summary>The smallest and largest real values the int8 range represents.</summary>
    public (float Min, float Max) Range => (Scale * (-128 - ZeroPoint), Scale * (127 - ZeroPoint));

    public override string ToString() => $"scale {Scale:G6}, zero point {ZeroPoint}";
}

/// <summary>
/// The integer arithmetic of CMSIS-NN's s8 kernels (and TFLite Micro's reference kernels), in
/// one place for the reference interpreter and for deriving build-time constants. The C side is
/// kernels/portable/internal/int8_common.h; both must agree bit for bit.
/// </summary>
public static class Int8Arithmetic
{
    /// <summary>
    /// A positive real multiplier as a Q31 value and a power-of-two shift (positive = left):
    /// m ≈ multiplier · 2^(shift − 31), TFLite's QuantizeMultiplier.
    /// </summary>
    public static (int Multiplier, int Shift) QuantizeMultiplier(double m)
    {
        if (m <= 0 || !double.IsFinite(m)) return (0, 0);
        var (fraction, exponent) = Frexp(m);
        var q = (long)Math.Round(fraction * (1L << 31), MidpointRounding.AwayFromZero);
        if (q == 1L << 31) { q /= 2; exponent++; }
        // CMSIS-NN takes shifts in [-31, 30]; a smaller multiplier is 0, a larger one saturates.
        if (exponent < -31) return (0, 0);
        if (exponent > 30) return (int.MaxValue, 30);
        return ((int)q, exponent);
    }

    /// <summary>m = fraction · 2^exponent with fraction in [0.5, 1).</summary>
    private static (double Fraction, int Exponent) Frexp(double m)
    {
        var exponent = (int)Math.Floor(Math.Log2(m)) + 1;
        var fraction = m / Math.Pow(2, exponent);
        // Log2 may be off by one ulp near powers of two.
        while (fraction >= 1) { fraction /= 2; exponent++; }
        while (fraction < 0.5) { fraction *= 2; exponent--; }
        return (fraction, exponent);
    }

    /// <summary>arm_nn_requantize (default rounding): doubling high multiply, then rounding divide by 2^−shift.</summary>
    public static int Requantize(int value, int multiplier, int shift)
    {
        var left = shift > 0 ? shift : 0;
        var right = shift > 0 ? 0 : -shift;
        return DivideByPowerOfTwo(DoublingHighMultiply(unchecked(value * (1 << left)), multiplier), right);
    }

    /// <summary>arm_nn_doubling_high_mult_no_sat: (m1·m2 + 2^30) >> 31.</summary>
    public static int DoublingHighMultiply(int m1, int m2) => unchecked((int)(((long)m1 * m2 + (1L << 30)) >> 31));

    /// <summary>arm_nn_divide_by_power_of_two: division by 2^exponent, midpoints away from zero.</summary>
    public static int DivideByPowerOfTwo(int dividend, int exponent)
    {
        var mask = (int)((1L << exponent) - 1);
        var remainder = mask & dividend;
        var result = dividend >> exponent;
        var threshold = mask >> 1;
        if (result < 0) threshold++;
        if (remainder > threshold) result++;
        return result;
    }

    /// <summary>ad_quantize_s8 on one value: x·(1/scale) in float32, limited, rounded half away from zero, offset and saturated.</summary>
    public static int Quantize(float x, float inverseScale, int zeroPoint)
    {
        var v = x * inverseScale;
        // Comparisons rather than Min/Max so that NaN is mapped the same way in C and here.
        if (!(v > -512f)) v = -512f;
        if (v > 512f) v = 512f;
        var q = (int)MathF.Round(v, MidpointRounding.AwayFromZero) + zeroPoint;
        return Math.Clamp(q, -128, 127);
    }

    /// <summary>ad_dequantize_s8 on one value.</summary>
    public static float Dequantize(int q, float scale, int zeroPoint) => (q - zeroPoint) * scale;

    /// <summary>arm_avgpool_s8's rounded average: (sum ± count/2) / count, truncating division.</summary>
    public static int RoundedAverage(int sum, int count)
    {
        var half = count / 2;
        return (sum > 0 ? sum + half : sum - half) / count;
    }
}
