namespace Autodiff.Engine.Model;

/// <summary>
/// How the loader reads a model file beyond what the file says, so one file serves every stage of
/// transfer learning (the SDK's <c>AutodiffTrainAll</c> and <c>AutodiffQuantize</c> properties):
/// pretraining on the host, before the weights and calibration files exist; fine-tuning on the
/// device with a frozen int8 backbone; and the same fine-tuning with a float backbone to compare.
/// </summary>
public sealed record LoadOptions
{
    /// <summary>Read the model as written.</summary>
    public static LoadOptions Default { get; } = new();

    /// <summary>
    /// Every layer trainable: <c>trainable: false</c>, <c>weights:</c>, <c>quantize:</c> and
    /// <c>calibration:</c> are ignored (none of their files is read), so the whole float model
    /// trains from its seeded initialisation. For pretraining with the model file the device uses.
    /// </summary>
    public bool TrainAll { get; init; }

    /// <summary>
    /// False ignores <c>quantize:</c> and <c>calibration:</c>: frozen layers stay float32 (with their
    /// <c>weights:</c>), so the int8 model can be compared with its float form from the same file.
    /// </summary>
    public bool Quantize { get; init; } = true;

    /// <summary>Whether <c>quantize:</c> and <c>calibration:</c> are read at all.</summary>
    internal bool ReadsQuantization => Quantize && !TrainAll;
}
