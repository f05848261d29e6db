namespace Autodiff.Engine.Tests.Model;

/// <summary>
/// The good corpus copied to a temporary folder, with the .npy weights that
/// <c>frozen_weights.yaml</c> and <c>frozen_backbone.yaml</c> (<see cref="BackboneWeights"/>) refer to generated beside it.
/// </summary>
internal static class GoodModels
{
    private static readonly Lazy<string> Dir = new(Prepare);

    public static string Folder => Dir.Value;

    public static string PathOf(string file) => Path.Combine(Folder, file);

    private static string Prepare()
    {
        var dir = Path.Combine(Path.GetTempPath(), "autodiff-model-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.EnumerateFiles(ModelFiles.Folder("good")))
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));

        var weights = Path.Combine(dir, "frozen_weights");
        Directory.CreateDirectory(weights);
        File.WriteAllBytes(Path.Combine(weights, "features.weight.npy"),
            NpyBytes.Float32([3, 4], Enumerable.Range(0, 12).Select(i => i * 0.1f).ToArray()));
        File.WriteAllBytes(Path.Combine(weights, "features.bias.npy"), NpyBytes.Float64([3], [0.5, -0.5, 0.25]));
        File.WriteAllBytes(Path.Combine(weights, "adapter.npy"),
            NpyBytes.Float32([3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1], version: 2));
        BackboneWeights.Write(Path.Combine(dir, "frozen_backbone"));
        // Calibration samples of the int8 models' inputs: uniform in [-1, 1], as the tests' data.
        var rng = new Random(7);
        File.WriteAllBytes(Path.Combine(dir, "int8_cnn.calibration.npy"),
            NpyBytes.Float32([64, 10, 10, 2], Enumerable.Range(0, 64 * 200).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()));
        File.WriteAllBytes(Path.Combine(dir, "int8_backbone.calibration.npy"),
            NpyBytes.Float32([40, 12, 12, 3], Enumerable.Range(0, 40 * 432).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()));
        File.WriteAllBytes(Path.Combine(dir, "int8_mlp.calibration.npy"),
            NpyBytes.Float32([50, 12], Enumerable.Range(0, 50 * 12).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()));
        return dir;
    }
}
