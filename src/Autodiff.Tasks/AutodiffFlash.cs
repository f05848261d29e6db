using System.Diagnostics;
using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;
using Microsoft.Build.Framework;

namespace Autodiff.Tasks;

/// <summary>
/// <c>-t:Flash</c>: writes the firmware image to the board through a debug probe with the flasher the
/// board names (board.yaml <c>flasher:</c>, <c>flasher_target:</c>) or the project overrides, found on
/// PATH. The flasher's output goes to the build log; its exit code decides.
/// </summary>
public sealed class AutodiffFlash : AutodiffTask
{
    /// <summary>The ELF image to write.</summary>
    [Required] public string Image { get; set; } = "";

    /// <summary>Board name (the <c>Board</c> property).</summary>
    [Required] public string Board { get; set; } = "";

    /// <summary>The resolved <c>board.yaml</c> (<c>AutodiffBoardFile</c>), whose reading <see cref="AutodiffResolveBoard"/> kept for the build.</summary>
    [Required] public string BoardFile { get; set; } = "";

    /// <summary>Folders holding board folders, searched in order.</summary>
    [Required] public string[] BoardsDirectories { get; set; } = Array.Empty<string>();

    /// <summary><c>AutodiffFlasher</c>: pyocd, openocd or probe-rs instead of the board's.</summary>
    public string? Flasher { get; set; }

    /// <summary><c>AutodiffFlasherTarget</c>: the flasher's name for the chip instead of the board's.</summary>
    public string? FlasherTarget { get; set; }

    /// <summary><c>AutodiffFlasherPath</c>: the flasher program itself instead of searching PATH.</summary>
    public string? FlasherPath { get; set; }

    /// <summary><c>AutodiffFlashArguments</c>: extra arguments after the SDK's (a probe's serial number, a speed).</summary>
    public string[] ExtraArguments { get; set; } = Array.Empty<string>();

    /// <summary>Folder the flasher runs in.</summary>
    public string? WorkingDirectory { get; set; }

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        var board = ResolvedBoard.Get(BuildEngine, Log, BoardFile, BoardsDirectories);
        if (board is null) return false;

        var flasher = string.IsNullOrWhiteSpace(Flasher) ? board.Flasher : Flasher!.Trim();
        var target = string.IsNullOrWhiteSpace(FlasherTarget) ? board.FlasherTarget : FlasherTarget!.Trim();
        if (flasher is null || target is null)
        {
            Log.LogError(null, SdkDiagnosticCodes.NoFlasher, null, null, 0, 0, 0, 0,
                "board '{0}' names no {1} (board.yaml flasher: and flasher_target:), so -t:Flash does not know how to write it; " +
                "set AutodiffFlasher ({2}) and AutodiffFlasherTarget, or run it in QEMU with -t:Run",
                board.Name, flasher is null ? "flasher" : "flasher_target", string.Join(", ", BoardFlasher.Known));
            return false;
        }
        if (!BoardFlasher.Known.Contains(flasher))
        {
            Log.LogError(null, SdkDiagnosticCodes.InvalidProperty, null, null, 0, 0, 0, 0,
                "AutodiffFlasher must be one of {0}, not '{1}'", string.Join(", ", BoardFlasher.Known), flasher);
            return false;
        }
        var program = string.IsNullOrWhiteSpace(FlasherPath) ? ExecutableSearch.Find(flasher) : FlasherPath!.Trim();
        if (program is null || !File.Exists(program))
        {
            Log.LogError(null, SdkDiagnosticCodes.FlasherMissing, null, null, 0, 0, 0, 0,
                "{0} (the flasher for board '{1}') was not found {2}. Install it ({3}), or set AutodiffFlasherPath to it, " +
                "or AutodiffFlasher to another of {4}.",
                flasher, board.Name, string.IsNullOrWhiteSpace(FlasherPath) ? "on PATH" : $"at '{FlasherPath}'",
                BoardFlasher.HowToInstall(flasher), string.Join(", ", BoardFlasher.Known));
            return false;
        }
        if (!File.Exists(Image))
        {
            Log.LogError(null, SdkDiagnosticCodes.ImageMissing, null, null, 0, 0, 0, 0,
                "there is no firmware to flash: '{0}' does not exist. Build the project for board '{1}' first.", Image, Board);
            return false;
        }

        var start = new ProcessStartInfo
        {
            FileName = program,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = string.IsNullOrWhiteSpace(WorkingDirectory) ? Path.GetDirectoryName(Path.GetFullPath(Image))! : WorkingDirectory,
        };
        foreach (var argument in BoardFlasher.Arguments(flasher, target, Path.GetFullPath(Image)).Concat(ExtraArguments.Where(a => !string.IsNullOrWhiteSpace(a))))
            start.ArgumentList.Add(argument);
        LogReport($"Autodiff: flashing {Path.GetFileName(Image)} to {board.Name} with {flasher}");
        LogReport(CommandLine.Of(program, start.ArgumentList));

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) LogReport(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) LogReport(e.Data); };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Log.LogError(null, SdkDiagnosticCodes.ImageNotRunnable, null, null, 0, 0, 0, 0, "cannot start {0} ('{1}'): {2}", flasher, program, e.Message);
            return false;
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Log.LogError(null, SdkDiagnosticCodes.FlashFailed, null, null, 0, 0, 0, 0,
                "{0} exited with code {1} while flashing {2} (is the probe connected and the board powered?)", flasher, process.ExitCode, Path.GetFileName(Image));
            return false;
        }
        return true;
    }
}
