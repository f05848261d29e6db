using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// Reads <c>calibration:</c> (see <see cref="CalibrationSpec"/>) and checks that a model with int8
/// layers has it, with samples shaped like its one input.
/// </summary>
internal static class CalibrationReader
{
    public static CalibrationSpec? Read(YNode? node, List<InputSpec>? inputs, RawLoss? loss, List<RawLayer> layers, ReadContext ctx)
    {
        var diags = ctx.Diags;
        var firstInt8 = layers.FirstOrDefault(l => l.Int8 is not null)?.Int8;
        if (node is null)
        {
            if (firstInt8 is not null)
                diags.Error(ModelDiagnosticCodes.CalibrationInvalid,
                    "'quantize: int8' needs calibration samples to find the int8 ranges: add 'calibration: samples.npy' (a few hundred inputs, [N, ...input shape]) at the top level",
                    firstInt8);
            return null;
        }
        if (ctx.Text(node, "'calibration'") is not { } pathNode) return null;
        var at = pathNode.Location;
        var written = pathNode.Value;
        if (!written.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) || written.IndexOfAny(['\0', '\n', '\r']) >= 0)
        {
            diags.Error(ModelDiagnosticCodes.CalibrationInvalid, $"'calibration' must name a .npy file; got '{ModelNames.Printable(written)}'", at);
            return null;
        }
        string resolved;
        try
        {
            resolved = Path.GetFullPath(Path.Combine(ctx.BaseDirectory, written));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            diags.Error(ModelDiagnosticCodes.CalibrationInvalid, $"'calibration' path '{ModelNames.Printable(written)}' is not a valid path: {MessageText.Printable(e.Message, 200)}", at);
            return null;
        }
        if (!File.Exists(resolved))
        {
            diags.Error(ModelDiagnosticCodes.CalibrationInvalid, $"calibration file '{ModelNames.Printable(written)}' not found (looked for {MessageText.PrintablePath(resolved)})", at);
            return null;
        }
        ctx.ReferencedFiles.Add(resolved);
        var samples = NpyReader.Read(resolved, at, diags);
        if (samples is null || inputs is null) return null;

        var fed = inputs.Where((_, i) => loss is null || i != loss.TargetIndex).ToArray();
        if (fed.Length != 1)
        {
            diags.Error(ModelDiagnosticCodes.CalibrationInvalid,
                $"calibration samples are for a model with one input besides the loss target; this one has {fed.Length}", at);
            return null;
        }
        var perSample = fed[0].Shape.Dims.ToArray();
        if (samples.Shape.Count != perSample.Length + 1 || !samples.Shape.Skip(1).SequenceEqual(perSample) || samples.Shape[0] < 1)
        {
            diags.Error(ModelDiagnosticCodes.CalibrationInvalid,
                $"'{ModelNames.Printable(written)}' holds {samples}, but calibration needs [N, {string.Join(", ", perSample)}]: N samples of input '{fed[0].Name}'", at);
            return null;
        }
        return new CalibrationSpec(written, samples, at);
    }
}
