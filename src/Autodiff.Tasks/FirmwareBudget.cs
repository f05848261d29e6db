using Autodiff.Engine.Boards;
using Autodiff.Engine.Planning;

namespace Autodiff.Tasks;

/// <summary>
/// The RAM all of a firmware's models take together. Each model is planned against the board's budget
/// alone, so two that fit one by one can still overflow RAM together; this adds their arenas (one
/// arena per <c>ArenaGroup</c>: its members share the largest) and compares the sum with the same budget.
/// </summary>
internal static class FirmwareBudget
{
    /// <summary>
    /// The least RAM a lower <c>AutodiffRamReserve</c> must leave beside the arenas for it to be worth
    /// suggesting: the linker script's minimum stack (2 KiB, <c>_min_stack_size</c>) plus as much again
    /// for newlib's statics and the firmware's own.
    /// </summary>
    public const long MinimumReserve = 4 * 1024;

    /// <summary>One model: its name, arena bytes and <c>ArenaGroup</c> (empty: its own arena).</summary>
    public sealed record Model(string Name, long ArenaBytes, string Group);

    /// <summary>The RAM the models take: the sum over arenas, a group counting as its largest member.</summary>
    public static long Total(IEnumerable<Model> models) =>
        Arenas(models).Sum(a => a.Max(m => m.ArenaBytes));

    /// <summary>The arenas the firmware gets: each group's members together, every other model alone.</summary>
    public static IReadOnlyList<IReadOnlyList<Model>> Arenas(IEnumerable<Model> models) =>
        models.GroupBy(m => m.Group.Length == 0 ? "\0" + m.Name : m.Group, StringComparer.Ordinal)
            .Select(g => (IReadOnlyList<Model>)g.ToList()).ToList();

    /// <summary>The AD3002 message, or null when the models fit <paramref name="budget"/>.</summary>
    public static string? Check(IReadOnlyList<Model> models, BoardSpec board, Budget budget, bool explicitBudget)
    {
        var total = Total(models);
        if (total <= budget.Bytes) return null;

        string Share(Model m)
        {
            var arena = Arenas(models).First(a => a.Contains(m));
            var shared = arena.Count > 1 ? $", sharing ArenaGroup '{m.Group}'" : "";
            return $"{m.Name} {SizeText.Exact(m.ArenaBytes)} ({m.ArenaBytes * 100.0 / total:0}% of the total){shared}";
        }

        var fits = new List<string>();
        var largest = models.Max(m => m.ArenaBytes);
        if (Arenas(models).Count > 1 && largest <= budget.Bytes)
            fits.Add($"models that never train at the same time sharing one arena (the same ArenaGroup metadata on their AutodiffModel items): all of them in one needs {SizeText.Exact(largest)}");
        var left = board.RamBytes - total;
        if (!explicitBudget)
        {
            if (left >= MinimumReserve)
                fits.Add($"AutodiffRamReserve={left} (leaves {SizeText.Exact(left)} for the stack, heap and the firmware's other statics; check the Firmware: line after linking)");
            else
                fits.Add($"not a lower AutodiffRamReserve: the arenas alone leave {SizeText.Exact(Math.Max(0, left))} of the board's {SizeText.Exact(board.RamBytes)} RAM, less than the {SizeText.Exact(MinimumReserve)} the stack and statics need");
        }
        var alone = models.Where(m => m.ArenaBytes <= budget.Bytes).Select(m => m.Name).ToList();
        if (alone.Count == models.Count) fits.Add("each model on its own");

        return $"the models of this firmware need {SizeText.Exact(total)} of RAM together but the budget on board '{board.Name}' is " +
               $"{SizeText.Exact(budget.Bytes)} ({budget.Explanation}): over by {SizeText.Exact(total - budget.Bytes)}. " +
               $"Each model's arena: {string.Join("; ", models.Select(Share))}. Would fit: {string.Join("; ", fits)}.";
    }
}
