using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>
/// A gradient op that can produce its output one tile (e.g. one row of a weight gradient) at a
/// time. The planner fuses such an op with the optimizer update of the parameter it differentiates,
/// so only one tile of the gradient ever exists (DESIGN §5).
/// </summary>
public interface ITiledGradient
{
    /// <summary>Number of tiles; tiles are contiguous and equally long, in row-major order of the output.</summary>
    int TileCount(Node node);

    /// <summary>Floats per tile.</summary>
    int TileLength(Node node);

    /// <summary>Emits C computing tile <paramref name="tileIndex"/> (a <c>uint32_t</c> expression) into <paramref name="tileOut"/>.</summary>
    void EmitTile(IKernelCallWriter c, string tileIndex, string tileOut);
}

/// <summary>
/// An optimizer update that can be applied to any contiguous span of its parameter, so that it can
/// run right after a tile of the gradient is computed. Inputs are (parameter, gradient, state...).
/// </summary>
public interface ISpanUpdate
{
    /// <summary>
    /// Emits declarations of the values every span of this update shares within one training
    /// step (the step's learning rate, bias corrections), so a fused update does not recompute
    /// them per tile. The code generator emits them once, at the top of the training step.
    /// </summary>
    void EmitStepConstants(IKernelCallWriter c);

    /// <summary>
    /// Emits C updating elements [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="count"/>)
    /// of the parameter and its state from the gradient values at <paramref name="gradient"/>.
    /// </summary>
    void EmitSpan(IKernelCallWriter c, string offset, string count, string gradient);
}

public static class TiledEmission
{
    /// <summary>Emits every tile of a tiled gradient into its own output tensor.</summary>
    public static void EmitAllTiles(ITiledGradient op, IKernelCallWriter c)
    {
        var n = op.TileCount(c.Node);
        var len = op.TileLength(c.Node);
        if (n == 1)
        {
            op.EmitTile(c, "0u", c.Out);
            return;
        }
        c.Line($"for (uint32_t tile = 0; tile < {n}u; ++tile) {{");
        op.EmitTile(c, "tile", $"{c.Out} + (size_t)tile * {len}u");
        c.Line("}");
    }
}
