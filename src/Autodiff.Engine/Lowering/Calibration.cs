using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Model;

namespace Autodiff.Engine.Lowering;

/// <summary>
/// Runs the calibration samples through the float forward graph with the reference interpreter
/// (float32, as the device computes) and records each tensor's smallest and largest value: the
/// ranges int8 quantisation spreads over −128..127.
/// </summary>
internal static class Calibration
{
    public static Dictionary<Tensor, (double Min, double Max)> Ranges(ComputeGraph forward, Tensor input, IEnumerable<Tensor> targets, CalibrationSpec calibration)
    {
        var interpreter = new Interpreter<float>(forward);
        var batch = input.Shape[0];
        var perSample = input.Shape.Count / batch;
        var samples = calibration.Samples.Data.Span;
        var count = calibration.SampleCount;
        var feeds = new Dictionary<Tensor, float[]>();
        foreach (var t in targets) feeds[t] = new float[t.Shape.Count];
        var ranges = new Dictionary<Tensor, (double Min, double Max)>();
        for (var first = 0; first < count; first += batch)
        {
            // A last, partial batch repeats its own samples: repeats change no minimum or maximum.
            var x = new float[input.Shape.Count];
            for (var b = 0; b < batch; b++)
                samples.Slice((first + b % Math.Min(batch, count - first)) * perSample, perSample).CopyTo(x.AsSpan(b * perSample));
            feeds[input] = x;
            foreach (var (tensor, values) in interpreter.Forward(feeds))
            {
                if (tensor.IsPersistent) continue;
                var (min, max) = ranges.GetValueOrDefault(tensor, (double.PositiveInfinity, double.NegativeInfinity));
                foreach (var v in values)
                {
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
                ranges[tensor] = (min, max);
            }
        }
        return ranges;
    }
}
