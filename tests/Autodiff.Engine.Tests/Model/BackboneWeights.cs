namespace Autodiff.Engine.Tests.Model;

/// <summary>
/// The pretrained arrays of <c>Models/good/frozen_backbone.yaml</c> (convolution and linear weights,
/// batchnorm statistics), seeded, so the corpus needs no committed binaries.
/// </summary>
internal static class BackboneWeights
{
    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(77);
        void Array(string file, int[] shape, double low, double high)
        {
            var count = shape.Aggregate(1, (a, d) => a * d);
            var values = Enumerable.Range(0, count).Select(_ => (float)(low + (high - low) * rng.NextDouble())).ToArray();
            File.WriteAllBytes(Path.Combine(folder, file + ".npy"), NpyBytes.Float32(shape, values));
        }
        void Statistics(string layer, int channels)
        {
            Array(layer + ".gamma", [channels], 0.5, 1.5);
            Array(layer + ".beta", [channels], -0.5, 0.5);
            Array(layer + ".mean", [channels], -0.3, 0.3);
            Array(layer + ".var", [channels], 0.2, 2.0);
        }
        Array("conv.weight", [4, 3, 3, 2], -0.5, 0.5);
        Statistics("conv_bn", 4);
        Array("dw.weight", [3, 3, 4], -0.5, 0.5);
        Array("dw.bias", [4], -0.2, 0.2);
        Statistics("dw_bn", 4);
        Statistics("act_bn", 4);
        Statistics("post_bn", 4);
        Array("fc.weight", [8, 4], -0.5, 0.5);
        Array("fc.bias", [8], -0.2, 0.2);
    }
}
