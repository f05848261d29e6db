namespace Autodiff.Engine.Boards;

/// <summary>Which C toolchain builds firmware for a board.</summary>
public enum BoardToolchain
{
    /// <summary>The build machine's own C compiler (<c>gcc</c>); the result runs natively.</summary>
    Host,

    /// <summary>The GNU Arm Embedded toolchain (<c>arm-none-eabi-gcc</c>) with newlib.</summary>
    ArmNoneEabi,
}

/// <summary>
/// One target board as described by <c>boards/&lt;name&gt;/board.yaml</c>. A board is data:
/// the engine reads the memory figures to plan and budget, the SDK reads the compiler flags, linker
/// script and startup sources to build firmware, and <see cref="QemuMachine"/> to run it.
/// </summary>
/// <param name="Name">Board name as passed in <c>-p:Board=NAME</c>; equals the folder name.</param>
/// <param name="Description">One line for humans, shown in the list of known boards.</param>
/// <param name="Directory">Absolute path of the board folder; relative file names below resolve against it.</param>
/// <param name="Cpu">GCC <c>-mcpu</c> value (e.g. <c>cortex-m4</c>), or null for the host.</param>
/// <param name="Fpu">GCC <c>-mfpu</c> value (e.g. <c>fpv4-sp-d16</c>), or <c>none</c>.</param>
/// <param name="FloatAbi">GCC <c>-mfloat-abi</c> value: <c>hard</c>, <c>softfp</c> or <c>soft</c>.</param>
/// <param name="HasDsp">The core has the DSP extension (CMSIS kernels worth using).</param>
/// <param name="HasMve">The core has the M-profile vector extension (Helium).</param>
/// <param name="RamBytes">Main RAM available to the firmware, in bytes.</param>
/// <param name="RamAddress">Start address of that RAM.</param>
/// <param name="FlashBytes">Flash (or other code memory) size in bytes; 0 when not applicable (host).</param>
/// <param name="FlashAddress">Start address of flash.</param>
/// <param name="ReserveBytes">RAM kept back from the model budget for stack and firmware statics.</param>
/// <param name="DefaultBudgetBytes">When set, the model budget used unless the build overrides it (host: 1 GiB).</param>
/// <param name="Toolchain">Which compiler builds for this board.</param>
/// <param name="CFlags">Extra compiler flags beyond <see cref="ArchitectureFlags"/>.</param>
/// <param name="LdFlags">Extra linker flags beyond <see cref="ArchitectureFlags"/>.</param>
/// <param name="LinkerScript">Absolute path of the linker script, or null (host).</param>
/// <param name="Sources">
/// Absolute paths of the C sources compiled into every firmware: the board's <c>sources:</c> and then
/// the files of its <see cref="Console"/>.
/// </param>
/// <param name="QemuMachine">QEMU <c>-M</c> machine that emulates the board, or null when it is build-only.</param>
public sealed record BoardSpec(
    string Name,
    string Description,
    string Directory,
    string? Cpu,
    string Fpu,
    string FloatAbi,
    bool HasDsp,
    bool HasMve,
    long RamBytes,
    long RamAddress,
    long FlashBytes,
    long FlashAddress,
    long ReserveBytes,
    long? DefaultBudgetBytes,
    BoardToolchain Toolchain,
    IReadOnlyList<string> CFlags,
    IReadOnlyList<string> LdFlags,
    string? LinkerScript,
    IReadOnlyList<string> Sources,
    string? QemuMachine)
{
    /// <summary>The board's own <c>sources:</c>, without any console's files.</summary>
    public IReadOnlyList<string> BoardSources { get; init; } = Sources;

    /// <summary>The console firmware gets unless the build chooses another (<see cref="BoardConsole"/>); null on the host.</summary>
    public string? Console { get; init; }

    /// <summary>For each console this board can have, the files implementing it (absolute paths).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ConsoleSources { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Index of the QEMU <c>-serial</c> device that is the board's UART (netduinoplus2: USART2 is 1).</summary>
    public int QemuUart { get; init; }

    /// <summary>The program <c>-t:Flash</c> runs (<see cref="BoardFlasher"/>), or null when the board names none.</summary>
    public string? Flasher { get; init; }

    /// <summary>The flasher's name for the chip or board (pyocd target, openocd config file, probe-rs chip).</summary>
    public string? FlasherTarget { get; init; }

    /// <summary>The sources of firmware built with <paramref name="console"/>, or null when the board cannot have that console.</summary>
    public IReadOnlyList<string>? SourcesWith(string console) =>
        ConsoleSources.TryGetValue(console, out var files) ? BoardSources.Concat(files).Distinct(StringComparer.Ordinal).ToList() : null;

    /// <summary>Full path of the <c>board.yaml</c> this spec was read from.</summary>
    public string BoardFile => Path.Combine(Directory, BoardCatalog.BoardFileName);

    /// <summary>The board has a hardware floating-point unit.</summary>
    public bool HasFpu => !string.Equals(Fpu, "none", StringComparison.OrdinalIgnoreCase);

    /// <summary>Firmware for this board can be executed by <c>-t:Run</c> (natively or in QEMU).</summary>
    public bool CanRun => Toolchain == BoardToolchain.Host || QemuMachine is not null;

    /// <summary>
    /// Flags that select the instruction set and float ABI; they must be identical for compiling
    /// and linking, so both use them.
    /// </summary>
    public IReadOnlyList<string> ArchitectureFlags
    {
        get
        {
            if (Cpu is null) return Array.Empty<string>();
            var flags = new List<string> { $"-mcpu={Cpu}", "-mthumb" };
            if (HasFpu) flags.Add($"-mfpu={Fpu}");
            flags.Add($"-mfloat-abi={FloatAbi}");
            return flags;
        }
    }

    /// <summary>
    /// The RAM the model's arena may use: an explicit budget wins; otherwise the board's
    /// default budget (host); otherwise RAM minus the reserve, where an explicit reserve replaces the
    /// board's own.
    /// </summary>
    public long BudgetBytes(long? ramBudget = null, long? ramReserve = null)
    {
        if (ramBudget is { } explicitBudget) return explicitBudget;
        if (ramReserve is null && DefaultBudgetBytes is { } boardBudget) return boardBudget;
        return Math.Max(0, RamBytes - (ramReserve ?? ReserveBytes));
    }
}
