using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>Reads a per-sample shape written as a YAML list of positive integers (<c>[28, 28, 1]</c>).</summary>
internal static class ShapeReader
{
    public static ShapeSpec? Read(YNode node, string what, int batch, ReadContext ctx)
    {
        if (ctx.Sequence(node, $"the shape of {what}") is not { } seq) return null;
        if (seq.Items.Count == 0)
        {
            ctx.Diags.Error(ModelDiagnosticCodes.InvalidShape,
                $"the shape of {what} is empty; write at least one dimension, e.g. [1]", seq.Location);
            return null;
        }
        if (seq.Items.Count > LayerCatalog.MaxRank)
        {
            ctx.Diags.Error(ModelDiagnosticCodes.InvalidShape,
                $"the shape of {what} has {seq.Items.Count} dimensions; at most {LayerCatalog.MaxRank} are supported", seq.Location);
            return null;
        }

        var dims = new List<int>();
        var locations = new List<SourceLocation>();
        foreach (var item in seq.Items)
        {
            if (item is not YScalar { IsPlain: true, IsNull: false } s)
            {
                ctx.Diags.Error(ModelDiagnosticCodes.WrongType,
                    $"a dimension of {what} must be a positive integer; got {item.Describe()}", item.Location);
                return null;
            }
            switch (ScalarText.TryInt(s.Value, out var d))
            {
                case ScalarText.IntResult.NotInteger:
                    ctx.Diags.Error(ModelDiagnosticCodes.WrongType,
                        $"a dimension of {what} must be a positive integer; got {s.Describe()}", s.Location);
                    return null;
                case ScalarText.IntResult.TooLarge:
                case ScalarText.IntResult.Ok when d > int.MaxValue:
                    ctx.Diags.Error(ModelDiagnosticCodes.SizeOverflow,
                        $"dimension {s.Value} of {what} does not fit 32 bits", s.Location);
                    return null;
                case ScalarText.IntResult.Ok when d < 1:
                    ctx.Diags.Error(ModelDiagnosticCodes.InvalidShape,
                        $"a dimension of {what} must be a positive integer; got {d}", s.Location);
                    return null;
            }
            dims.Add((int)d);
            locations.Add(s.Location);
        }
        if (!SizeLimits.Check(dims, locations, batch, what, ctx.Diags)) return null;
        return new ShapeSpec(dims, locations, seq.Location);
    }
}
