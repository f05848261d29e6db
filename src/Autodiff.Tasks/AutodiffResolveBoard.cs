using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// Reads the selected board's <c>board.yaml</c>, once per build (<see cref="ResolvedBoard"/>), and hands
/// its build settings to the targets.
/// </summary>
public sealed class AutodiffResolveBoard : AutodiffTask
{
    /// <summary>Board name (the <c>Board</c> property).</summary>
    [Required] public string Board { get; set; } = "";

    /// <summary>Folders holding board folders, searched in order (the user's <c>AutodiffBoardsDirectory</c> first, then the SDK's).</summary>
    [Required] public string[] BoardsDirectories { get; set; } = Array.Empty<string>();

    /// <summary>The <c>AutodiffConsole</c> property: semihosting, uart or none; empty for the board's own.</summary>
    public string? Console { get; set; }

    /// <summary>Absolute path of the board folder.</summary>
    [Output] public string BoardDirectory { get; private set; } = "";

    /// <summary>Absolute path of the board's <c>board.yaml</c> (an input of generation).</summary>
    [Output] public string BoardFile { get; private set; } = "";

    /// <summary><c>host</c> or <c>arm-none-eabi</c>.</summary>
    [Output] public string Toolchain { get; private set; } = "";

    /// <summary>Architecture flags followed by the board's extra compiler flags, one argument each.</summary>
    [Output] public string[] CompilerFlags { get; private set; } = Array.Empty<string>();

    /// <summary>Architecture flags followed by the board's extra linker flags, one argument each.</summary>
    [Output] public string[] LinkerFlags { get; private set; } = Array.Empty<string>();

    /// <summary>Absolute path of the linker script, empty for the host.</summary>
    [Output] public string LinkerScript { get; private set; } = "";

    /// <summary>Startup and system-call sources compiled into every firmware for this board, with its console's.</summary>
    [Output] public ITaskItem[] Sources { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>QEMU machine name, empty for boards that cannot be emulated.</summary>
    [Output] public string QemuMachine { get; private set; } = "";

    /// <summary>The console the firmware gets (semihosting, uart or none); empty on the host.</summary>
    [Output] public string ResolvedConsole { get; private set; } = "";

    /// <summary>Which QEMU <c>-serial</c> device is the board's UART, for runs with the UART console.</summary>
    [Output] public int QemuUart { get; private set; }

    /// <summary>RAM size in bytes, for the firmware report.</summary>
    [Output] public long RamBytes { get; private set; }

    /// <summary>Start address of RAM, for the firmware report.</summary>
    [Output] public long RamAddress { get; private set; }

    /// <summary>Flash size in bytes, for the firmware report (0 on the host).</summary>
    [Output] public long FlashBytes { get; private set; }

    /// <summary>Start address of flash, for the firmware report.</summary>
    [Output] public long FlashAddress { get; private set; }

    /// <summary>True when <c>-t:Run</c> can execute firmware for the board.</summary>
    [Output] public bool CanRun { get; private set; }

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        var board = ResolvedBoard.Read(BuildEngine, Log, Board.Trim(), BoardsDirectories);
        if (board is null) return false;

        BoardDirectory = board.Directory;
        BoardFile = board.BoardFile;
        Toolchain = board.Toolchain == BoardToolchain.Host ? "host" : "arm-none-eabi";
        CompilerFlags = board.ArchitectureFlags.Concat(board.CFlags).ToArray();
        LinkerFlags = board.ArchitectureFlags.Concat(board.LdFlags).ToArray();
        LinkerScript = board.LinkerScript ?? "";
        var console = string.IsNullOrWhiteSpace(Console) || board.Console is null ? board.Console : Console!.Trim();
        var sources = console is null ? board.Sources : board.SourcesWith(console);
        if (sources is null)
        {
            var why = BoardConsole.All.Contains(console!)
                ? $"board '{board.Name}' has no {console} console (a uart console needs the board's driver, board.yaml uart_source:)"
                : $"the console must be one of {string.Join(", ", BoardConsole.All)}";
            Log.LogError(null, SdkDiagnosticCodes.InvalidProperty, null, null, 0, 0, 0, 0,
                "AutodiffConsole={0}: {1}; the board offers {2}", console, why, string.Join(", ", board.ConsoleSources.Keys));
            return false;
        }
        Sources = sources.Select(p => (ITaskItem)MsBuildEscaping.Item(p)).ToArray();
        ResolvedConsole = console ?? "";
        QemuUart = board.QemuUart;
        QemuMachine = board.QemuMachine ?? "";
        RamBytes = board.RamBytes;
        FlashBytes = board.FlashBytes;
        RamAddress = board.RamAddress;
        FlashAddress = board.FlashAddress;
        CanRun = board.CanRun;
        return true;
    }
}
