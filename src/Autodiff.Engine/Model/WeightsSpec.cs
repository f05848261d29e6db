using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// Pretrained values for a layer's parameters from <c>weights:</c>. A path ending in
/// <c>.npy</c> is a single file holding <c>&lt;layer&gt;.weight</c> (a bias, if any, keeps its
/// default initialisation). Any other path is a folder holding <c>&lt;layer&gt;.weight.npy</c>
/// and, when the layer has a bias, <c>&lt;layer&gt;.bias.npy</c>; the folder form needs <c>name:</c>.
/// Shapes are checked against the layer when the graph is built.
/// </summary>
/// <param name="Written">The path as written in the model file.</param>
/// <param name="ResolvedPath">Full path, resolved relative to the model file's folder.</param>
/// <param name="Files">Every file read, for incremental builds.</param>
public sealed record WeightsSpec(
    string Written,
    string ResolvedPath,
    bool IsFolder,
    NpyArray Weight,
    NpyArray? Bias,
    IReadOnlyList<string> Files,
    SourceLocation Location);
