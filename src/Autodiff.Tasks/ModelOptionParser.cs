using Autodiff.Engine;
using Autodiff.Engine.Boards;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// Parses the settings of models from the project's text into <see cref="ModelOptions"/>, the one
/// place that knows their spellings. An item's metadata defaults to its property (Sdk.props), so a
/// wrong property value arrives on every item: it is reported once, as the property
/// (<c>AutodiffFuseUpdates must be true or false</c>, also when there are no models), and a value
/// set on an item is reported at that model as the metadata (<c>FuseUpdates must be …</c>). Both are
/// AD4003.
/// </summary>
internal sealed class ModelOptionParser(TaskLoggingHelper log, IReadOnlyDictionary<string, string?> properties)
{
    /// <summary>Which property each metadata defaults to (Sdk.props, ItemDefinitionGroup of AutodiffModel).</summary>
    public static IReadOnlyDictionary<string, string> PropertyOf { get; } = new Dictionary<string, string>
    {
        [ModelOptions.KernelsName] = "AutodiffKernels",
        [ModelOptions.RamBudgetName] = "AutodiffRamBudget",
        [ModelOptions.RamReserveName] = "AutodiffRamReserve",
        [ModelOptions.FuseUpdatesName] = "AutodiffFuseUpdates",
        [ModelOptions.TrainAllName] = "AutodiffTrainAll",
        [ModelOptions.QuantizeName] = "AutodiffQuantize",
    };

    /// <summary>Checks the properties themselves, so a wrong value fails the build with no model too.</summary>
    public bool CheckProperties()
    {
        var valid = true;
        foreach (var name in PropertyOf.Keys)
            valid &= TryParse(name, Property(name), model: null, out _);
        return valid;
    }

    /// <summary>The model's settings, or null after reporting a value that is not valid.</summary>
    public ModelOptions? Parse(ITaskItem model)
    {
        // Metadata left empty (an item made where the ItemDefinitionGroup does not reach) is the property's.
        string Text(string name) => model.GetMetadata(name) is { Length: > 0 } text ? text : Property(name);

        var valid = TryParse(ModelOptions.KernelsName, Text(ModelOptions.KernelsName), model, out var kernels);
        valid &= TryParse(ModelOptions.RamBudgetName, Text(ModelOptions.RamBudgetName), model, out var budget);
        valid &= TryParse(ModelOptions.RamReserveName, Text(ModelOptions.RamReserveName), model, out var reserve);
        valid &= TryParse(ModelOptions.FuseUpdatesName, Text(ModelOptions.FuseUpdatesName), model, out var fuse);
        valid &= TryParse(ModelOptions.TrainAllName, Text(ModelOptions.TrainAllName), model, out var trainAll);
        valid &= TryParse(ModelOptions.QuantizeName, Text(ModelOptions.QuantizeName), model, out var quantize);
        if (!valid) return null;
        return new ModelOptions(
            (KernelChoice)kernels!,
            (long?)budget,
            (long?)reserve,
            (bool?)fuse ?? true,
            (bool?)trainAll ?? false,
            (bool?)quantize ?? true,
            model.GetMetadata(ModelOptions.ArenaGroupName).Trim());
    }

    private string Property(string name) => properties.TryGetValue(name, out var text) ? text ?? "" : "";

    /// <summary>
    /// Parses one value: a kernel choice, a byte count (null when empty: the board's) or a flag (null
    /// when empty: the default). A value equal to the property's was reported by <see cref="CheckProperties"/>.
    /// </summary>
    private bool TryParse(string name, string text, ITaskItem? model, out object? value)
    {
        value = null;
        string expected;
        switch (name)
        {
            case ModelOptions.KernelsName:
                if (KernelChoices.TryParse(text, out var choice)) { value = choice; return true; }
                expected = "one of " + string.Join(", ", KernelChoices.Names);
                break;
            case ModelOptions.RamBudgetName or ModelOptions.RamReserveName:
                if (string.IsNullOrWhiteSpace(text)) return true;
                if (BoardCatalog.TryParseSize(text, out var bytes)) { value = bytes; return true; }
                expected = "a byte count such as 98304, 96K or 1M";
                break;
            default:
                if (string.IsNullOrWhiteSpace(text)) return true;
                if (bool.TryParse(text.Trim(), out var flag)) { value = flag; return true; }
                expected = "true or false";
                break;
        }
        if (model is null)
            log.LogError(null, SdkDiagnosticCodes.InvalidProperty, null, null, 0, 0, 0, 0,
                "{0} must be {1}, not '{2}'", PropertyOf[name], expected, text);
        else if (!string.Equals(text, Property(name), StringComparison.Ordinal))
            log.LogError(null, SdkDiagnosticCodes.InvalidProperty, null, model.ItemSpec, 0, 0, 0, 0,
                "{0} must be {1}, not '{2}' (AutodiffModel metadata)", name, expected, text);
        return false;
    }
}
