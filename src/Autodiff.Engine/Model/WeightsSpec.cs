using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// Pretrained values for a layer's parameters from <c>weights:</c>, by array name (the parameter
/// suffix: <c>weight</c>, <c>bias</c>, <c>gamma</c> ...). For the weight-and-bias layers
/// (<c>linear</c>, <c>conv2d</c>, <c>depthwise_conv2d</c>) a path ending in <c>.npy</c> is a single
/// file holding <c>&lt;layer&gt;.weight</c> (a bias, if any, keeps its default initialisation), and any
/// other path is a folder holding <c>&lt;layer&gt;.weight.npy</c> and, when the layer has a bias,
/// <c>&lt;layer&gt;.bias.npy</c>. Layers with other arrays (<see cref="LayerKind.WeightArrays"/>:
/// <c>batchnorm</c>'s gamma and beta, and optionally mean and var together) take only the folder
/// form. The folder form needs <c>name:</c>. Shapes are checked against the layer when the graph is built.
/// </summary>
/// <param name="Written">The path as written in the model file.</param>
/// <param name="ResolvedPath">Full path, resolved relative to the model file's folder.</param>
/// <param name="Arrays">The arrays read, by name.</param>
/// <param name="Files">Every file read, for incremental builds.</param>
public sealed record WeightsSpec(
    string Written,
    string ResolvedPath,
    bool IsFolder,
    IReadOnlyDictionary<string, NpyArray> Arrays,
    IReadOnlyList<string> Files,
    SourceLocation Location)
{
    /// <summary>The array for parameter <paramref name="name"/>, or null when the weights do not hold one.</summary>
    public NpyArray? this[string name] => Arrays.GetValueOrDefault(name);

    public NpyArray? Weight => this["weight"];
    public NpyArray? Bias => this["bias"];
}
