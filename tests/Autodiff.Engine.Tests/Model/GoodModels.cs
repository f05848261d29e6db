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
        return dir;
    }
}
