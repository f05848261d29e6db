using System.Globalization;
using Autodiff.Engine;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// The typed settings of one model, from its <c>AutodiffModel</c> metadata (whose defaults are the
/// properties, through the <c>ItemDefinitionGroup</c> in Sdk.props). <see cref="ModelOptionParser"/>
/// parses the project's text once, in preparation; the prepared items carry the values in one
/// canonical spelling, which the later tasks read back with <see cref="FromPrepared"/>.
/// </summary>
internal sealed record ModelOptions(
    KernelChoice Kernels,
    long? RamBudget,
    long? RamReserve,
    bool FuseUpdates,
    bool TrainAll,
    bool Quantize,
    string ArenaGroup)
{
    // The metadata names, as docs/sdk.md lists them.
    public const string KernelsName = "Kernels";
    public const string RamBudgetName = "RamBudget";
    public const string RamReserveName = "RamReserve";
    public const string FuseUpdatesName = "FuseUpdates";
    public const string TrainAllName = "TrainAll";
    public const string QuantizeName = "Quantize";
    public const string ArenaGroupName = "ArenaGroup";

    /// <summary>Writes the values in their canonical spelling (an empty size is the board's).</summary>
    public void WriteTo(TaskItem item)
    {
        item.SetMetadata(KernelsName, KernelChoices.Name(Kernels));
        item.SetMetadata(RamBudgetName, RamBudget?.ToString(CultureInfo.InvariantCulture) ?? "");
        item.SetMetadata(RamReserveName, RamReserve?.ToString(CultureInfo.InvariantCulture) ?? "");
        item.SetMetadata(FuseUpdatesName, FuseUpdates ? "true" : "false");
        item.SetMetadata(TrainAllName, TrainAll ? "true" : "false");
        item.SetMetadata(QuantizeName, Quantize ? "true" : "false");
        item.SetLiteralMetadata(ArenaGroupName, ArenaGroup);
    }

    /// <summary>
    /// Reads what <see cref="WriteTo"/> wrote on a prepared item. Anything else is a fault of the SDK's
    /// own targets (the project's text never reaches here unparsed), so it throws, which the task
    /// reports as AD4999.
    /// </summary>
    public static ModelOptions FromPrepared(ITaskItem item) => new(
        KernelChoices.TryParse(item.GetMetadata(KernelsName), out var kernels) ? kernels : throw Unexpected(item, KernelsName),
        Size(item, RamBudgetName),
        Size(item, RamReserveName),
        Flag(item, FuseUpdatesName),
        Flag(item, TrainAllName),
        Flag(item, QuantizeName),
        item.GetMetadata(ArenaGroupName));

    private static long? Size(ITaskItem item, string name)
    {
        var text = item.GetMetadata(name);
        if (text.Length == 0) return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw Unexpected(item, name);
    }

    private static bool Flag(ITaskItem item, string name) => item.GetMetadata(name) switch
    {
        "true" => true,
        "false" => false,
        _ => throw Unexpected(item, name),
    };

    private static InvalidOperationException Unexpected(ITaskItem item, string name) =>
        new($"prepared model '{item.ItemSpec}' has {name}='{item.GetMetadata(name)}', which AutodiffPrepareModels does not write");
}
