using System.Text;

namespace Autodiff.Tasks;

/// <summary>
/// The linker script that gives the models of an <c>ArenaGroup</c> one arena. Compiled with
/// <c>-fdata-sections</c> (every Arm board's cflags), each model's <c>static NAME_arena</c> is its own
/// input section <c>.bss.NAME_arena</c>; per group the largest gets an output section where the next
/// free RAM is and the others one each at its address, so the group takes the largest arena's bytes and
/// the board's <c>.bss</c> follows it. <c>INSERT BEFORE .bss</c> adds this to the board's script
/// unchanged (ld only applies INSERT to a script read after it, so this one goes first on the command
/// line). The arenas are outside <c>.bss</c> and not zeroed at reset; <c>NAME_init</c> clears its arena.
/// </summary>
internal static class ArenaGroupScript
{
    public static string Text(IEnumerable<IReadOnlyList<FirmwareBudget.Model>> groups)
    {
        var text = new StringBuilder()
            .AppendLine("/* Written by Autodiff.Sdk from the ArenaGroup metadata of the AutodiffModel items: the models of")
            .AppendLine("   one group share one arena. They must never train at the same time: NAME_init clears it. */")
            .AppendLine("SECTIONS")
            .AppendLine("{");
        var index = 0;
        foreach (var group in groups)
        {
            var ordered = group.OrderByDescending(m => m.ArenaBytes).ThenBy(m => m.Name, StringComparer.Ordinal).ToList();
            var first = Section(index, ordered[0]);
            text.AppendLine($"    /* ArenaGroup '{Comment(ordered[0].Group)}': {string.Join(", ", ordered.Select(m => m.Name))} */");
            text.AppendLine($"    {first} (NOLOAD) : ALIGN(8) {{ *(.bss.{ordered[0].Name}_arena) }}");
            foreach (var model in ordered.Skip(1))
                text.AppendLine($"    {Section(index, model)} ADDR({first}) (NOLOAD) : {{ *(.bss.{model.Name}_arena) }}");
            index++;
        }
        return text.AppendLine("}").AppendLine("INSERT BEFORE .bss;").ToString();
    }

    private static string Section(int group, FirmwareBudget.Model model) => $".autodiff_arena_group{group}.{model.Name}";

    private static string Comment(string text) => text.Replace("*/", "* /");
}
