using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// Resolves and reads a layer's <c>weights:</c> (see <see cref="WeightsSpec"/> for the two forms).
/// Every problem is reported at the <c>weights:</c> value, since that is what the user must fix.
/// </summary>
internal static class WeightsReader
{
    public static WeightsSpec? Read(YNode node, string? layerName, bool hasBias, ReadContext ctx)
    {
        var diags = ctx.Diags;
        if (ctx.Text(node, "'weights'") is not { } pathNode) return null;
        var written = pathNode.Value;
        var at = pathNode.Location;
        if (written.IndexOfAny(['\0', '\n', '\r']) >= 0)
        {
            diags.Error(ModelDiagnosticCodes.WrongType, "'weights' must be a file or folder path", at);
            return null;
        }

        string resolved;
        try
        {
            resolved = Path.GetFullPath(Path.Combine(ctx.BaseDirectory, written));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            diags.Error(ModelDiagnosticCodes.WeightsMissing, $"'weights' path '{ModelNames.Printable(written)}' is not a valid path: {e.Message}", at);
            return null;
        }

        if (written.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(resolved))
            {
                diags.Error(ModelDiagnosticCodes.WeightsMissing,
                    $"weights file '{ModelNames.Printable(written)}' not found (looked for {resolved})", at);
                return null;
            }
            ctx.ReferencedFiles.Add(resolved);
            var weight = NpyReader.Read(resolved, at, diags);
            return weight is null ? null : new WeightsSpec(written, resolved, false, weight, null, [resolved], at);
        }

        if (!Directory.Exists(resolved))
        {
            diags.Error(ModelDiagnosticCodes.WeightsMissing,
                $"weights folder '{ModelNames.Printable(written)}' not found (looked for {resolved}); " +
                "'weights' is a .npy file or a folder of <layer>.weight.npy / <layer>.bias.npy", at);
            return null;
        }
        if (layerName is null)
        {
            diags.Error(ModelDiagnosticCodes.WeightsFolderNeedsName,
                "a weights folder holds <layer>.weight.npy files, so the layer needs 'name:'", at);
            return null;
        }

        var weightFile = Path.Combine(resolved, $"{layerName}.weight.npy");
        var biasFile = Path.Combine(resolved, $"{layerName}.bias.npy");
        var files = new List<string> { weightFile };
        if (hasBias) files.Add(biasFile);
        var ok = true;
        foreach (var f in files)
        {
            if (File.Exists(f)) continue;
            diags.Error(ModelDiagnosticCodes.WeightsMissing,
                $"weights folder '{ModelNames.Printable(written)}' has no {Path.GetFileName(f)}", at);
            ok = false;
        }
        if (!ok) return null;

        ctx.ReferencedFiles.AddRange(files);
        var w = NpyReader.Read(weightFile, at, diags);
        var b = hasBias ? NpyReader.Read(biasFile, at, diags) : null;
        if (w is null || (hasBias && b is null)) return null;
        return new WeightsSpec(written, resolved, true, w, b, files, at);
    }
}
