using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// Resolves and reads a layer's <c>weights:</c> (see <see cref="WeightsSpec"/> for the two forms).
/// Every problem is reported at the <c>weights:</c> value, since that is what the user must fix.
/// </summary>
internal static class WeightsReader
{
    public static WeightsSpec? Read(YNode node, string? layerName, LayerKind kind, bool hasBias, ReadContext ctx)
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
            diags.Error(ModelDiagnosticCodes.WeightsMissing, $"'weights' path '{ModelNames.Printable(written)}' is not a valid path: {MessageText.Printable(e.Message, 200)}", at);
            return null;
        }

        // The arrays a folder holds: the layer kind's own list, else the weight and, with a bias, the bias.
        IReadOnlyList<string> arrays = kind.WeightArrays ?? (hasBias ? ["weight", "bias"] : ["weight"]);
        var optional = kind.OptionalWeightArrays ?? [];
        var folderHolds = string.Join(" / ", arrays.Select(a => $"<layer>.{a}.npy"))
            + (optional.Count == 0 ? "" : $" (and optionally {string.Join(" / ", optional.Select(a => $"<layer>.{a}.npy"))})");

        if (written.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            // One file is one array, which only says which parameter it is when the layer has a weight.
            if (kind.WeightArrays is not null)
            {
                diags.Error(ModelDiagnosticCodes.WrongType,
                    $"'weights' of {kind.Keyword} must be a folder holding {folderHolds}, not a single .npy file", at);
                return null;
            }
            if (!File.Exists(resolved))
            {
                diags.Error(ModelDiagnosticCodes.WeightsMissing,
                    $"weights file '{ModelNames.Printable(written)}' not found (looked for {MessageText.PrintablePath(resolved)})", at);
                return null;
            }
            ctx.ReferencedFiles.Add(resolved);
            var weight = NpyReader.Read(resolved, at, diags);
            return weight is null ? null
                : new WeightsSpec(written, resolved, false, new Dictionary<string, NpyArray> { ["weight"] = weight }, [resolved], at);
        }

        if (!Directory.Exists(resolved))
        {
            diags.Error(ModelDiagnosticCodes.WeightsMissing,
                $"weights folder '{ModelNames.Printable(written)}' not found (looked for {MessageText.PrintablePath(resolved)}); " +
                (kind.WeightArrays is null ? $"'weights' is a .npy file or a folder of {folderHolds}" : $"'weights' of {kind.Keyword} is a folder of {folderHolds}"), at);
            return null;
        }
        if (layerName is null)
        {
            diags.Error(ModelDiagnosticCodes.WeightsFolderNeedsName,
                $"a weights folder holds {folderHolds} files, so the layer needs 'name:'", at);
            return null;
        }

        string FileOf(string array) => Path.Combine(resolved, $"{layerName}.{array}.npy");
        // The optional arrays come as a group: some of them without the others is a mistake, not a default.
        var optionalFound = optional.Where(a => File.Exists(FileOf(a))).ToList();
        if (optionalFound.Count > 0) arrays = [.. arrays, .. optional];
        var ok = true;
        foreach (var array in arrays)
        {
            if (File.Exists(FileOf(array))) continue;
            var group = optional.Contains(array)
                ? $" (it has {string.Join(" and ", optionalFound.Select(a => $"{layerName}.{a}.npy"))}, which come with it)" : "";
            diags.Error(ModelDiagnosticCodes.WeightsMissing,
                $"weights folder '{ModelNames.Printable(written)}' has no {layerName}.{array}.npy{group}", at);
            ok = false;
        }
        if (!ok) return null;

        var files = arrays.Select(FileOf).ToList();
        ctx.ReferencedFiles.AddRange(files);
        var read = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        for (var i = 0; i < arrays.Count; i++)
            if (NpyReader.Read(files[i], at, diags) is { } array) read[arrays[i]] = array;
        if (read.Count != arrays.Count) return null;
        return new WeightsSpec(written, resolved, true, read, files, at);
    }
}
