using System.Text.RegularExpressions;
using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// The rule every name from a model file obeys: the model name, input names and layer
/// (tensor) names. They end up in C identifiers, string literals and comments, so the check
/// is strict enough that the generated C can embed a name verbatim and never has to escape it.
/// </summary>
/// <remarks>
/// A name matches <c>[a-z_][a-z0-9_]*</c>, has at most 63 characters (C99 guarantees 63
/// significant characters for internal identifiers), and is not reserved:
/// <list type="bullet">
/// <item>C keywords (C99 through C23) and identifiers a C file sees from the standard headers
/// the generated code includes (<c>main</c>, <c>errno</c>, <c>size_t</c>, ...);</item>
/// <item>names starting with <c>_</c> (C reserves them at file scope);</item>
/// <item>names containing <c>__</c> or ending in <c>_</c>: the generator joins a prefix and a
/// name with <c>_</c>, and must not produce <c>__</c> (reserved in C++ and by compilers);</item>
/// <item>names starting with <c>ad_</c>: the kernel ABI's namespace (<c>ad_&lt;op&gt;_f32</c>).</item>
/// </list>
/// </remarks>
public static partial class ModelNames
{
    public const int MaxLength = 63;

    /// <summary>The form of every name, before the reserved ones are excluded.</summary>
    public const string IdentifierRegex = "^[a-z_][a-z0-9_]*$";

    [GeneratedRegex(IdentifierRegex, RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        // C99 keywords
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
        "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
        "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
        "union", "unsigned", "void", "volatile", "while",
        // C11/C23 lowercase keywords and their <stdbool.h>/<stdalign.h>/<assert.h> spellings
        "alignas", "alignof", "bool", "constexpr", "false", "nullptr", "static_assert",
        "thread_local", "true", "typeof", "typeof_unqual", "noreturn", "complex", "imaginary",
        // identifiers and macros the generated translation unit can see
        "main", "errno", "assert", "offsetof", "null", "size_t", "ptrdiff_t", "wchar_t",
        "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t",
        "intptr_t", "uintptr_t", "float_t", "double_t", "va_list", "va_arg", "va_start", "va_end",
        "setjmp", "longjmp", "stdin", "stdout", "stderr", "memcpy", "memset", "memmove",
        "abort", "exit", "malloc", "free", "printf", "puts",
        // C++ keywords that would break a C++ consumer including NAME.h
        "class", "delete", "new", "this", "template", "namespace", "operator", "private",
        "protected", "public", "virtual", "throw", "try", "catch", "friend", "using", "mutable",
        "explicit", "export", "typename", "asm",
    };

    /// <summary>
    /// Header names a model name must not take: the model's generated header is <c>NAME.h</c> in a
    /// folder on the include path, where it would hide the header of the same name.
    /// </summary>
    private static readonly HashSet<string> HeaderNames = new(StringComparer.Ordinal)
    {
        "autodiff_kernels", "arm_math", "arm_nnfunctions", "arm_math_types", "cmsis_compiler",
        "assert", "complex", "ctype", "errno", "fenv", "float", "inttypes", "iso646", "limits", "locale",
        "math", "setjmp", "signal", "stdalign", "stdarg", "stdatomic", "stdbool", "stddef", "stdint",
        "stdio", "stdlib", "stdnoreturn", "string", "tgmath", "threads", "time", "uchar", "wchar", "wctype",
        "stdbit", "stdckdint",
        // Headers that CMSIS includes from another folder than its own, so they are looked up on
        // the include path, and the header the generated parameter loader includes. (Headers of
        // the toolchain itself, such as glibc's features.h or GCC's arm_mve.h, differ between
        // toolchains: the SDK asks the compiler for them, AD4023.)
        "autodiff_npy", "arm_math_memory", "arm_math_types_f16", "arm_dsp_config", "cmsis_version",
        "arm_nnsupportfunctions", "arm_nn_math_types", "arm_nn_types_flt",
    };

    /// <summary>Checks the model name: a name like any other, and not the name of a header it would hide.</summary>
    public static bool CheckModelName(string name, SourceLocation at, DiagnosticBag diags)
    {
        if (!Check(name, "model name", at, diags)) return false;
        if (!HeaderNames.Contains(name)) return true;
        diags.Error(ModelDiagnosticCodes.ReservedName,
            $"model name '{name}' would generate {name}.h, which hides the C header of that name; choose another name", at);
        return false;
    }

    /// <summary>Checks a name and reports AD1017 (shape) or AD1018 (reserved) at <paramref name="at"/>.</summary>
    /// <param name="what">What is being named, for the message: "model name", "input name", "layer name".</param>
    public static bool Check(string name, string what, SourceLocation at, DiagnosticBag diags)
    {
        var shown = Printable(name);
        if (name.Length == 0)
        {
            diags.Error(ModelDiagnosticCodes.InvalidName, $"{what} is empty", at);
            return false;
        }
        if (name.Length > MaxLength)
        {
            diags.Error(ModelDiagnosticCodes.InvalidName,
                $"{what} '{shown}' has {name.Length} characters; at most {MaxLength} are allowed", at);
            return false;
        }
        if (!IdentifierPattern().IsMatch(name))
        {
            diags.Error(ModelDiagnosticCodes.InvalidName,
                $"{what} '{shown}' is not an identifier: use lowercase letters, digits and '_', starting with a letter", at);
            return false;
        }
        string? why = null;
        if (Reserved.Contains(name)) why = "is a C keyword or a name the generated C already uses";
        else if (name.StartsWith('_')) why = "starts with '_', which C reserves";
        else if (name.Contains("__", StringComparison.Ordinal) || name.EndsWith('_')) why = "contains '__' or ends in '_', which the generated identifiers cannot carry";
        else if (name.StartsWith("ad_", StringComparison.Ordinal)) why = "starts with 'ad_', the kernel library's prefix";
        if (why is null) return true;
        diags.Error(ModelDiagnosticCodes.ReservedName, $"{what} '{shown}' {why}; choose another name", at);
        return false;
    }

    /// <summary>
    /// A name as it may be quoted in a message: control characters escaped and length bounded,
    /// so a hostile name cannot forge extra diagnostic lines in a build log.
    /// </summary>
    public static string Printable(string text) => MessageText.Printable(text);
}
