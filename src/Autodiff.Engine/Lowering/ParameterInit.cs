namespace Autodiff.Engine.Lowering;

/// <summary>
/// Deterministic default initialisation (<c>init: { seed }</c>): PyTorch's default for linear and
/// conv layers, U(−1/√fan_in, 1/√fan_in) for weights and biases alike. Each parameter draws from
/// its own stream, keyed by the seed, the layer's position and the parameter's slot, so adding a
/// layer does not change the values of the others.
/// </summary>
public static class ParameterInit
{
    public static float[] Uniform(uint seed, int layerIndex, int slot, int count, int fanIn)
    {
        var bound = 1.0 / Math.Sqrt(Math.Max(fanIn, 1));
        var state = ((ulong)seed << 32) ^ ((ulong)(uint)layerIndex << 8) ^ (uint)slot;
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var unit = (Next(ref state) >> 40) * (1.0 / (1 << 24)); // 24 random bits: exact in float
            values[i] = (float)((2 * unit - 1) * bound);
        }
        return values;
    }

    // splitmix64: tiny, well-distributed, and trivially reproducible anywhere.
    private static ulong Next(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
