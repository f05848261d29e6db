using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// Links objects into the firmware image (ELF, or a native executable on the host) with gcc as the
/// driver. A memory region overflow becomes one AD3901 error that says by how much the firmware
/// misses the board.
/// </summary>
public sealed class AutodiffLinkC : GccToolTask
{
    /// <summary>Object files, in link order.</summary>
    [Required] public ITaskItem[] Objects { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The image to write.</summary>
    [Required] public string OutputFile { get; set; } = "";

    /// <summary>Linker flags, one argument each (architecture flags first).</summary>
    public string[] Flags { get; set; } = Array.Empty<string>();

    /// <summary>Libraries to link after the objects, as gcc arguments (e.g. <c>-lm</c>).</summary>
    public string[] Libraries { get; set; } = Array.Empty<string>();

    /// <summary>Linker script (<c>-T</c>); empty on the host.</summary>
    public string? LinkerScript { get; set; }

    /// <summary>Folders the linker searches for scripts named by <c>INCLUDE</c> and for libraries, after the linker script's own folder.</summary>
    public string[] LibraryDirectories { get; set; } = Array.Empty<string>();

    /// <summary>Map file to write; empty for none.</summary>
    public string? MapFile { get; set; }

    /// <summary>Board name, for the overflow message.</summary>
    public string? Board { get; set; }

    /// <inheritdoc />
    protected override string MessageCode => SdkDiagnosticCodes.LinkerMessage;

    /// <inheritdoc />
    protected override string FailureCode => SdkDiagnosticCodes.LinkerFailed;

    /// <inheritdoc />
    /// <remarks>The image comes last: it is the file the link target's up-to-date check looks at.</remarks>
    protected override IEnumerable<string> OutputFiles =>
        string.IsNullOrWhiteSpace(MapFile) ? new[] { OutputFile } : new[] { MapFile!, OutputFile };

    /// <inheritdoc />
    protected override string GenerateCommandLineCommands()
    {
        var builder = new CommandLineBuilder(quoteHyphensOnCommandLine: false, useNewLineSeparator: false);
        builder.AppendSwitch("-fdiagnostics-color=never");
        foreach (var flag in Flags.Where(f => !string.IsNullOrWhiteSpace(f))) builder.AppendSwitch(AutodiffCompileC.Quote(flag));
        // Paths are quoted by hand (CommandLineBuilder's file-name methods throw MSB6001 on a '"' in
        // a folder name); the image and map go to temporary names, published by GccToolTask.
        if (!string.IsNullOrWhiteSpace(LinkerScript))
        {
            builder.AppendSwitch(AutodiffCompileC.Quote("-L" + Path.GetDirectoryName(LinkerScript)));
            foreach (var directory in LibraryDirectories.Where(d => !string.IsNullOrWhiteSpace(d))) builder.AppendSwitch(AutodiffCompileC.Quote("-L" + directory));
            builder.AppendSwitch("-T");
            builder.AppendSwitch(AutodiffCompileC.Quote(LinkerScript!));
        }
        if (!string.IsNullOrWhiteSpace(MapFile)) builder.AppendSwitch(AutodiffCompileC.Quote("-Wl,-Map=" + Staged(MapFile!)));
        builder.AppendSwitch("-o");
        builder.AppendSwitch(AutodiffCompileC.Quote(Staged(OutputFile)));
        foreach (var item in Objects) builder.AppendSwitch(AutodiffCompileC.Quote(item.ItemSpec));
        foreach (var library in Libraries.Where(l => !string.IsNullOrWhiteSpace(l))) builder.AppendSwitch(AutodiffCompileC.Quote(library));
        return builder.ToString();
    }

    /// <inheritdoc />
    private protected override bool HandleMessage(GccMessage message, string rawLine)
    {
        if (GccMessageParser.ParseRegionOverflow(message.Text) is var (region, bytes))
        {
            Log.LogError(null, SdkDiagnosticCodes.RegionOverflow, null, null, 0, 0, 0, 0,
                "the firmware does not fit board '{0}': region {1} overflowed by {2} bytes. The model arenas are in the report above; " +
                "shrink them (smaller batch, fewer units, frozen layers), let models that never train at the same time share one arena " +
                "(ArenaGroup metadata), make the firmware's own buffers smaller, or choose a board with more memory " +
                "(AutodiffRamReserve only sets the planning budget and frees no RAM).",
                Board ?? "", region, bytes);
            return true;
        }
        // "will not fit in region" always precedes the overflow line.
        if (message.Text.Contains("will not fit in region", StringComparison.Ordinal))
        {
            Log.LogMessage(MessageImportance.Normal, "{0}", rawLine);
            return true;
        }
        // collect2 only repeats that ld failed: said already, or say it with what ld printed.
        if (message.Text.Contains("ld returned", StringComparison.Ordinal))
        {
            if (Log.HasLoggedErrors) Log.LogMessage(MessageImportance.Normal, "{0}", rawLine);
            else LogFailure(message.Text);
            return true;
        }
        return base.HandleMessage(message, rawLine);
    }
}
