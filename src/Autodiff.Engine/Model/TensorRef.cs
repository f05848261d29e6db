using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

public enum TensorSource { Input, Layer }

/// <summary>
/// A resolved operand: a model input (index into <see cref="ModelSpec.Inputs"/>) or a layer
/// output (index into <see cref="ModelSpec.Layers"/>). Layers need not be named, so references
/// are by index; <see cref="Name"/> is the written name, or null for the implicit previous output.
/// </summary>
/// <param name="Location">Where the reference was written; for an implicit operand, the reading layer's position.</param>
public sealed record TensorRef(TensorSource Source, int Index, string? Name, SourceLocation Location)
{
    public bool IsImplicit => Name is null;

    public override string ToString() => Name ?? (Source == TensorSource.Input ? $"input #{Index}" : $"layer #{Index}");
}
