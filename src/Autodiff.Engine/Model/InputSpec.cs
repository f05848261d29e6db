using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// One entry of <c>inputs:</c>, in declaration order. Loss targets are inputs too
/// (<see cref="IsTarget"/>); the generated <c>train_step</c> takes one pointer per input in this order.
/// </summary>
/// <param name="Location">Position of the input's name (the mapping key).</param>
public sealed record InputSpec(string Name, ShapeSpec Shape, bool IsTarget, SourceLocation Location);
