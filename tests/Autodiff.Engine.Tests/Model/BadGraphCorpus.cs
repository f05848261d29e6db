namespace Autodiff.Engine.Tests.Model;

/// <summary>
/// The bad-graph corpus copied to a temporary folder, with the .npy weights its weight-shape
/// models refer to generated beside it (of the wrong shapes those models announce).
/// </summary>
internal static class BadGraphCorpus
{
    private static readonly Lazy<string> Dir = new(Prepare);

    public static string PathOf(string file) => Path.Combine(Dir.Value, file);

    private static string Prepare()
    {
        var dir = Path.Combine(Path.GetTempPath(), "autodiff-bad-graph-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.EnumerateFiles(ModelFiles.Folder("bad-graph")))
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));

        // batchnorm_weights_wrong_shape: statistics of three channels for a four-channel input.
        var statistics = Path.Combine(dir, "bn_three_channels");
        Directory.CreateDirectory(statistics);
        foreach (var array in new[] { "gamma", "beta", "mean", "var" })
            File.WriteAllBytes(Path.Combine(statistics, $"bn.{array}.npy"), NpyBytes.Float32([3], [1, 1, 1]));
        // depthwise_weights_without_depth_multiplier: two filters per channel of a two-channel input.
        File.WriteAllBytes(Path.Combine(dir, "dw_two_per_channel.npy"), NpyBytes.Float32([3, 3, 4], new float[36]));
        // int8 models: calibration samples of their inputs.
        File.WriteAllBytes(Path.Combine(dir, "calibration_x6.npy"), NpyBytes.Float32([8, 6], Enumerable.Range(0, 48).Select(i => (i % 7 - 3) / 3f).ToArray()));
        File.WriteAllBytes(Path.Combine(dir, "calibration_4x4x2.npy"), NpyBytes.Float32([5, 4, 4, 2], Enumerable.Range(0, 160).Select(i => (i % 9 - 4) / 4f).ToArray()));
        return dir;
    }
}
