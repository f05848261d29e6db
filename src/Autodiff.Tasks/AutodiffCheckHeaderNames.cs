using System.Diagnostics;
using Microsoft.Build.Framework;

namespace Autodiff.Tasks;

/// <summary>
/// Refuses a model whose name would make its generated <c>NAME.h</c> hide a header the toolchain
/// ships (a model named <c>features</c> hides glibc's <c>features.h</c> on the host, <c>newlib</c>
/// or <c>alloca</c> newlib's): the generated folder is on the include path, so every source including
/// that header would get the model's instead, and fail far from the cause. The headers are listed
/// from the compiler's own system include folders (asked with <c>-E -v</c>), so the check follows
/// whatever toolchain the build uses. Runs before anything is compiled; the error sits on the
/// model's <c>name:</c>.
/// </summary>
public sealed class AutodiffCheckHeaderNames : AutodiffTask
{
    /// <summary>The models of the firmware (their full paths).</summary>
    [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The C compiler the firmware is built with.</summary>
    [Required] public string CompilerPath { get; set; } = "";

    /// <summary>Architecture flags that select the compiler's multilib (and so its include folders).</summary>
    public string[] CompilerFlags { get; set; } = Array.Empty<string>();

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        var folders = SystemIncludeFolders();
        if (folders.Count == 0) return true; // a compiler that does not say: nothing to compare with
        var ok = true;
        foreach (var model in Models)
        {
            var path = model.GetMetadata("FullPath");
            if (ModelNameReader.TryRead(path) is not var (name, line, column)) continue;
            var hidden = folders.Select(f => Path.Combine(f, name + ".h")).FirstOrDefault(File.Exists);
            if (hidden is null) continue;
            Log.LogError(null, SdkDiagnosticCodes.NameHidesToolchainHeader, null, DiagnosticLogging.ShownFile(path), line, column, 0, 0,
                "model name '{0}' would generate {0}.h, which hides the toolchain's header '{1}'; choose another name",
                name, hidden);
            ok = false;
        }
        return ok;
    }

    /// <summary>The folders gcc searches for <c>#include &lt;...&gt;</c>, from the list <c>gcc -E -v</c> prints.</summary>
    private List<string> SystemIncludeFolders()
    {
        var start = new ProcessStartInfo(CompilerPath) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var flag in CompilerFlags.Concat(["-xc", "-E", "-v", "-"])) start.ArgumentList.Add(flag);
        string stderr;
        try
        {
            using var gcc = Process.Start(start)!;
            gcc.StandardInput.Close();
            var output = gcc.StandardOutput.ReadToEndAsync();
            stderr = gcc.StandardError.ReadToEnd();
            if (!gcc.WaitForExit(30_000)) { gcc.Kill(entireProcessTree: true); return []; }
            _ = output.Result;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return []; // the compile step reports a compiler that cannot run
        }
        var folders = new List<string>();
        var inList = false;
        foreach (var raw in stderr.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("#include <...> search starts here:", StringComparison.Ordinal)) { inList = true; continue; }
            if (line.StartsWith("End of search list.", StringComparison.Ordinal)) break;
            if (inList && line.StartsWith(' ') && Directory.Exists(line.Trim())) folders.Add(line.Trim());
        }
        return folders;
    }
}
