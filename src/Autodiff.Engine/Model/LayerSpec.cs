using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// One entry of <c>layers:</c>. Written as a bare keyword (<c>- relu</c>) or a one-key mapping
/// whose value holds the keyword's arguments and the common keys <c>name</c>, <c>in</c>,
/// <c>trainable</c> and <c>weights</c> (<c>- linear: { units: 32, name: fc1 }</c>).
/// </summary>
/// <remarks>
/// Operands: without <c>in:</c> a layer reads the previous layer's output (the first layer reads
/// the first input that is not the loss target). Binary ops (<c>add</c>, <c>sub</c>, <c>mul</c>,
/// <c>div</c>, <c>matmul</c>) take <c>in: [a, b]</c>, or <c>in: b</c> meaning (previous output, b).
/// Names may refer to layers declared later as long as no cycle forms; see
/// <see cref="ModelSpec.EvaluationOrder"/>.
/// Axes (<c>sum</c>, <c>mean</c>, <c>max</c>, <c>squeeze</c>, <c>unsqueeze</c>, <c>softmax</c>,
/// <c>log_softmax</c>, <c>transpose</c>'s <c>perm</c>) count per-sample dimensions: axis 0 is the first
/// dimension after the implicit batch dimension, negative axes count from the end, and the batch
/// dimension is never reduced, squeezed or permuted.
/// </remarks>
/// <param name="Index">Position in <c>layers:</c>, 0-based.</param>
/// <param name="Keyword">The layer keyword, e.g. <c>linear</c>, <c>relu</c>, <c>add</c>.</param>
/// <param name="Name">The output tensor's name from <c>name:</c>, if given.</param>
/// <param name="Operands">Resolved operands, implicit ones included, in operand order.</param>
/// <param name="Trainable">False when <c>trainable: false</c> froze the layer's parameters.</param>
/// <param name="Args">The keyword's arguments, validated, with schema defaults filled in.</param>
/// <param name="Location">Position of the keyword.</param>
public sealed record LayerSpec(
    int Index,
    string Keyword,
    Located<string>? Name,
    IReadOnlyList<TensorRef> Operands,
    bool Trainable,
    WeightsSpec? Weights,
    LayerArgs Args,
    SourceLocation Location)
{
    /// <summary>Where <c>quantize: int8</c> was written; null for a float layer.</summary>
    public SourceLocation? Int8 { get; init; }

    public bool IsInt8 => Int8 is not null;

    /// <summary>How the layer reads in messages: its name, or "linear (layer 3)".</summary>
    public string DisplayName => Name?.Value ?? $"{Keyword} (layer {Index + 1})";

    /// <summary>True for keywords that own parameters (<c>linear</c>, <c>conv2d</c>).</summary>
    public bool HasParameters => LayerCatalog.Find(Keyword)?.HasParameters ?? false;
}
