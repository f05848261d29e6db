using Autodiff.Engine.Graph;

namespace Autodiff.Engine.CodeGen;

/// <summary>
/// The host-only part of the generated API: <c>NAME_save_parameters(folder)</c> writes every trainable
/// parameter as <c>folder/&lt;parameter name&gt;.npy</c> (float32, C order, the parameter's shape), which
/// is exactly the <c>weights:</c> folder layout the loader reads (<c>&lt;layer&gt;.weight.npy</c>,
/// <c>&lt;layer&gt;.bias.npy</c>, a batchnorm's <c>.gamma</c>/<c>.beta</c>). A model pretrained on the
/// build machine thus hands its weights to the device build of the same model file. Only the host
/// board has files, so only host builds get it (with <c>kernels/portable/npy.c</c>, which writes
/// the files); Arm firmware is unchanged.
/// </summary>
internal static class HostParameterFiles
{
    /// <summary>The writer the generated function calls, relative to the kernels folder; also for the user's own arrays.</summary>
    public const string NpySource = "portable/npy.c";

    public static void Declare(CWriter w, string n)
    {
        w.Comment($"Host builds only: writes every entry of {n}_params to folder/<name>.npy (float32, C order, the");
        w.Comment("parameter's shape), the layout of a weights: folder. The folder must exist. Returns 0, or -1");
        w.Comment("with errno set when a file cannot be written. autodiff_npy.h's ad_write_npy writes other arrays.");
        w.Line($"int {n}_save_parameters(const char *folder);");
    }

    public static void Define(CWriter w, string n, IReadOnlyList<Tensor> parameters)
    {
        w.Line("#include <errno.h>");
        w.Line("#include <stdio.h>");
        w.Line("#include \"autodiff_npy.h\"");
        w.Line();
        w.Line($"int {n}_save_parameters(const char *folder)");
        w.Line("{");
        for (var i = 0; i < parameters.Count; i++)
        {
            var dims = parameters[i].Shape.Dims;
            w.Line($"static const uint32_t shape{i}[{Math.Max(dims.Count, 1)}] = {{ {(dims.Count == 0 ? "1u" : string.Join(", ", dims.Select(d => CText.Unsigned(d))))} }};");
        }
        w.Line($"static const uint32_t *const shapes[{Math.Max(parameters.Count, 1)}] = {{ {(parameters.Count == 0 ? "NULL" : string.Join(", ", parameters.Select((_, i) => $"shape{i}")))} }};");
        w.Line($"static const uint32_t ranks[{Math.Max(parameters.Count, 1)}] = {{ {(parameters.Count == 0 ? "0u" : string.Join(", ", parameters.Select(p => CText.Unsigned(p.Shape.Rank))))} }};");
        w.Line("char path[4096];");
        w.Line("uint32_t i;");
        w.Line($"for (i = 0; i < {n}_param_count; i++) {{");
        w.Line($"int length = snprintf(path, sizeof path, \"%s/%s.npy\", folder, {n}_params[i].name);");
        w.Line("if (length < 0 || (size_t)length >= sizeof path) { errno = ENAMETOOLONG; return -1; }");
        w.Line($"if (ad_write_npy(path, {n}_params[i].data, shapes[i], ranks[i]) != 0) return -1;");
        w.Line("}");
        w.Line("return 0;");
        w.Line("}");
        w.Line();
    }
}
