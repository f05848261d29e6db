using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>The loss as read; <see cref="In"/> is resolved against the layers afterwards.</summary>
internal sealed record RawLoss(
    LossKind Kind, Located<string> Target, int TargetIndex, Located<string>? In, double L2, LayerArgs Args, SourceLocation Location);

/// <summary>Reads <c>loss: { kind: { target: y, in: name, l2: λ } }</c>.</summary>
internal static class LossReader
{
    /// <summary>The arguments every loss takes (the JSON schema lists them too).</summary>
    internal static readonly string[] Known = ["target", "in", "l2"];

    public static RawLoss? Read(YNode node, IReadOnlyList<InputSpec> inputs, ReadContext ctx)
    {
        var diags = ctx.Diags;
        var entry = ctx.KeywordEntry(node, "'loss'", "'loss: { nll: { target: y } }'");
        if (entry is null) return null;
        var (keyword, map) = entry.Value;
        if (!LossSpec.Keywords.TryGetValue(keyword.Value, out var kind))
        {
            ctx.UnknownKey(ModelDiagnosticCodes.UnknownLoss, keyword, "loss", LossSpec.Keywords.Keys);
            return null;
        }

        var args = ctx.Args(keyword.Value, map, Known, []);
        var ok = true;

        Located<string>? target = null;
        var targetIndex = -1;
        if (!args.Has("target"))
        {
            diags.Error(ModelDiagnosticCodes.MissingArgument,
                $"{keyword.Value} needs 'target': the input holding the targets", keyword.Location);
            ok = false;
        }
        else if (args.Text("target", diags) is { } t)
        {
            var at = args.LocationOf("target")!;
            targetIndex = inputs.ToList().FindIndex(i => i.Name == t);
            if (targetIndex < 0)
            {
                diags.Error(ModelDiagnosticCodes.LossTargetNotInput,
                    $"loss target '{ModelNames.Printable(t)}' is not one of the inputs" + Suggest.Hint(t, inputs.Select(i => i.Name)),
                    at);
                ok = false;
            }
            target = new(t, at);
        }
        else ok = false;

        Located<string>? input = null;
        if (args.Has("in"))
        {
            if (args.Text("in", diags) is { } name) input = new(name, args.LocationOf("in")!);
            else ok = false;
        }

        double l2 = 0;
        if (args.Has("l2"))
        {
            if (args.Float("l2", diags, FloatRange.NonNegative) is { } l) l2 = l;
            else ok = false;
        }

        return ok ? new RawLoss(kind, target!, targetIndex, input, l2, args, keyword.Location) : null;
    }
}
