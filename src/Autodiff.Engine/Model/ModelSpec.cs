using Autodiff.Engine.Diagnostics;
using NuGet.Versioning;

namespace Autodiff.Engine.Model;

/// <summary>
/// A validated schema-1 model, immutable, with the source position of every part.
/// It describes what the user wrote, resolved and checked, but holds no graph: shapes of layer
/// outputs are inferred when the spec is lowered to the IR.
/// </summary>
/// <param name="File">The model file's path as given to the loader (used in every location).</param>
/// <param name="Schema">The <c>autodiff:</c> version (major 1).</param>
/// <param name="Name">The model name, a C identifier prefix.</param>
/// <param name="Inputs">Inputs in declaration order, loss targets included.</param>
/// <param name="Batch">Samples per train_step (1 when omitted; then located at the document start).</param>
/// <param name="Layers">Layers in declaration order.</param>
/// <param name="EvaluationOrder">Layer indices in an order where every layer follows its operands:
/// declaration order, except that a layer reading a later-declared name moves after it.</param>
/// <param name="ReferencedFiles">Full paths of the model file and every file it made the loader read
/// (weights), for incremental builds.</param>
public sealed record ModelSpec(
    string File,
    Located<NuGetVersion> Schema,
    Located<string> Name,
    IReadOnlyList<InputSpec> Inputs,
    Located<int> Batch,
    IReadOnlyList<LayerSpec> Layers,
    IReadOnlyList<int> EvaluationOrder,
    LossSpec Loss,
    OptimizerSpec Optimizer,
    InitSpec Init,
    IReadOnlyList<string> ReferencedFiles)
{
    /// <summary>The schema major version this engine reads.</summary>
    public const int SupportedSchemaMajor = 1;

    /// <summary>Samples of the input for finding int8 ranges; present whenever a layer is <c>quantize: int8</c>.</summary>
    public CalibrationSpec? Calibration { get; init; }

    /// <summary>The model output (what <c>predict</c> writes): the last layer in <c>layers:</c>.</summary>
    public LayerSpec Output => Layers[^1];

    public InputSpec? FindInput(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    public LayerSpec? FindLayer(string name) => Layers.FirstOrDefault(l => l.Name?.Value == name);
}
