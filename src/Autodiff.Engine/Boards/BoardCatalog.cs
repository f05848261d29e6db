using System.Globalization;
using Autodiff.Engine.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Autodiff.Engine.Boards;

/// <summary>
/// Finds and reads board descriptions. A boards directory holds one folder per board, each with a
/// <c>board.yaml</c>, checked against <c>board.schema.json</c> (<see cref="BoardSchema"/>; every key is
/// explained in docs/boards.md):
/// <code>
/// name: stm32f4                       # must equal the folder name
/// description: STM32F405, Cortex-M4F
/// cpu: cortex-m4                      # gcc -mcpu; omit for the host
/// fpu: fpv4-sp-d16                    # gcc -mfpu, or none (default)
/// float_abi: hard                     # hard | softfp | soft (default soft, or hard with an fpu)
/// dsp: true                           # DSP extension (default false)
/// mve: false                          # Helium (default false)
/// ram:   { bytes: 128K, address: 0x20000000 }
/// flash: { bytes: 1M,   address: 0x08000000 }
/// reserve: 16K                        # RAM kept for stack and firmware statics
/// budget: 1G                          # optional default model budget (host)
/// toolchain: arm-none-eabi            # or host
/// cflags: [ ... ]                     # extra compiler flags
/// ldflags: [ ... ]                    # extra linker flags
/// linker_script: stm32f4.ld           # relative to the board folder
/// sources: [ common/startup.c ]       # compiled into every firmware for this board
/// console: semihosting                # semihosting (default) | uart | none; Arm boards only
/// uart_source: usart2.c               # the board's polled UART driver, for console: uart
/// qemu: netduinoplus2                 # QEMU machine, omit for build-only boards
/// qemu_uart: 1                        # which -serial of that machine the UART is (default 0)
/// flasher: pyocd                      # -t:Flash: pyocd | openocd | probe-rs; omit when not flashable
/// flasher_target: stm32f405rg         # the flasher's name for the chip (pyocd -t, openocd -f, probe-rs --chip)
/// </code>
/// File names (linker script, sources) are looked up in the board folder first, then in each boards
/// directory, so a user's board can use the SDK's shared <c>common/</c> startup code.
/// Sizes accept decimal or <c>0x</c> hex with an optional <c>K</c>, <c>M</c> or <c>G</c> (binary) suffix.
/// Problems are reported as AD4xxx diagnostics at the offending YAML node; nothing throws.
/// </summary>
public static class BoardCatalog
{
    /// <summary>File name of a board description inside its folder.</summary>
    public const string BoardFileName = "board.yaml";

    /// <summary>The board used when none is named.</summary>
    public const string DefaultBoard = "host";

    /// <summary>Board name not found in any boards directory.</summary>
    public const string UnknownBoardCode = "AD4001";

    /// <summary>A board.yaml that cannot be read or has an invalid field.</summary>
    public const string InvalidBoardCode = "AD4002";

    /// <summary>Loads board <paramref name="name"/> from <paramref name="boardsDirectory"/>; null after reporting an error.</summary>
    public static BoardSpec? Load(string boardsDirectory, string name, DiagnosticBag diagnostics) =>
        Load(new[] { boardsDirectory }, name, diagnostics);

    /// <summary>
    /// Loads board <paramref name="name"/> from the first of <paramref name="boardsDirectories"/> that has
    /// it, so a user's boards directory listed first can add boards or replace built-in ones.
    /// </summary>
    public static BoardSpec? Load(IEnumerable<string> boardsDirectories, string name, DiagnosticBag diagnostics)
    {
        var directories = boardsDirectories.Where(d => !string.IsNullOrWhiteSpace(d)).ToList();
        foreach (var directory in directories)
        {
            var file = Path.Combine(directory, name, BoardFileName);
            if (IsPlainName(name) && File.Exists(file)) return LoadFile(file, diagnostics, directories);
        }

        var known = ListBoards(directories);
        diagnostics.Error(UnknownBoardCode,
            $"unknown board '{name}'. Known boards: {(known.Count == 0 ? "(none)" : string.Join(", ", known))}. " +
            "Add your own as <folder>/<name>/board.yaml and point AutodiffBoardsDirectory at <folder>.",
            null);
        return null;
    }

    /// <summary>Names of every board found in <paramref name="boardsDirectories"/>, sorted, without duplicates.</summary>
    public static IReadOnlyList<string> ListBoards(IEnumerable<string> boardsDirectories) =>
        boardsDirectories
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .Where(d => File.Exists(Path.Combine(d, BoardFileName)))
            .Select(d => Path.GetFileName(d)!)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Reads one <c>board.yaml</c>; null after reporting an error. <paramref name="boardsDirectories"/>
    /// are where file names not found in the board's own folder are looked up (default: its parent).
    /// </summary>
    public static BoardSpec? LoadFile(string boardFile, DiagnosticBag diagnostics, IEnumerable<string>? boardsDirectories = null)
    {
        var fullPath = Path.GetFullPath(boardFile);
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(fullPath)) stream.Load(reader);
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                diagnostics.Error(InvalidBoardCode, "a board description must be a YAML mapping", new SourceLocation(fullPath, 1, 1));
                return null;
            }
            root = mapping;
        }
        catch (YamlException e)
        {
            diagnostics.Error(InvalidBoardCode, $"invalid YAML: {e.InnerException?.Message ?? e.Message}",
                new SourceLocation(fullPath, (int)e.Start.Line, (int)e.Start.Column));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(InvalidBoardCode, $"cannot read board description: {e.Message}", new SourceLocation(fullPath, 1, 1));
            return null;
        }

        var boardFolder = Path.GetDirectoryName(fullPath)!;
        var searchPath = new[] { boardFolder }
            .Concat(boardsDirectories ?? new[] { Path.GetDirectoryName(boardFolder)! })
            .Select(Path.GetFullPath)
            .ToList();
        return new BoardReader(fullPath, root, diagnostics, searchPath).Read();
    }

    private static bool IsPlainName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') && name is not "." and not "..";

    /// <summary>Turns the YAML mapping into a <see cref="BoardSpec"/>, collecting every problem before giving up.</summary>
    private sealed class BoardReader(string file, YamlMappingNode root, DiagnosticBag diagnostics, IReadOnlyList<string> searchPath)
    {
        private bool _failed;

        public BoardSpec? Read()
        {
            // Keys, value types and choices first, from the schema users see; the rules below relate keys.
            if (!BoardSchema.Validate(root, Fail)) return null;

            var folderName = Path.GetFileName(Path.GetDirectoryName(file)) ?? "";
            var name = String("name") ?? folderName;
            if (name != folderName) Fail(root.Children[new YamlScalarNode("name")], $"board name '{name}' must equal its folder name '{folderName}'");

            var toolchainText = String("toolchain") ?? "arm-none-eabi";
            BoardToolchain toolchain = BoardToolchain.ArmNoneEabi;
            switch (toolchainText)
            {
                case "host": toolchain = BoardToolchain.Host; break;
                case "arm-none-eabi": toolchain = BoardToolchain.ArmNoneEabi; break;
                default: Fail(Node("toolchain")!, $"toolchain must be 'host' or 'arm-none-eabi', not '{toolchainText}'"); break;
            }

            var cpu = String("cpu");
            if (cpu is null && toolchain == BoardToolchain.ArmNoneEabi) Fail(root, "an arm-none-eabi board needs 'cpu' (gcc -mcpu value)");
            var fpu = String("fpu") ?? "none";
            var floatAbi = String("float_abi") ?? (fpu == "none" ? "soft" : "hard");
            if (floatAbi is not ("hard" or "softfp" or "soft")) Fail(Node("float_abi")!, "float_abi must be hard, softfp or soft");
            if (fpu == "none" && floatAbi != "soft") Fail(Node("float_abi")!, "a board without an fpu must use float_abi: soft");

            var (ramBytes, ramAddress) = Memory("ram", required: true);
            var (flashBytes, flashAddress) = Memory("flash", required: toolchain == BoardToolchain.ArmNoneEabi);
            var reserve = Size("reserve") ?? 0;
            if (reserve > ramBytes) Fail(Node("reserve")!, $"reserve ({reserve} B) exceeds the board's RAM ({ramBytes} B)");

            var linkerScriptName = String("linker_script");
            if (linkerScriptName is null && toolchain == BoardToolchain.ArmNoneEabi) Fail(root, "an arm-none-eabi board needs 'linker_script'");
            var linkerScript = linkerScriptName is null ? null : FindFile(Node("linker_script")!, linkerScriptName);
            var sourcesNode = Node("sources");
            var sources = List("sources").Select(s => FindFile(sourcesNode!, s)).ToList();
            var (console, consoleSources) = Console(toolchain);
            var qemuUart = Size("qemu_uart") ?? 0;
            var flasher = String("flasher");
            if (flasher is not null && !BoardFlasher.Known.Contains(flasher))
                Fail(Node("flasher")!, $"flasher must be one of {string.Join(", ", BoardFlasher.Known)}, not '{flasher}'");
            var flasherTarget = String("flasher_target");
            if (flasher is not null && flasherTarget is null) Fail(Node("flasher")!, "a flasher needs 'flasher_target', its name for the chip");
            if (qemuUart > 8) Fail(Node("qemu_uart")!, "'qemu_uart' is the index of a QEMU -serial device, 0 to 8");

            var spec = new BoardSpec(
                Name: name,
                Description: String("description") ?? name,
                Directory: Path.GetDirectoryName(file)!,
                Cpu: cpu,
                Fpu: fpu,
                FloatAbi: floatAbi,
                HasDsp: Bool("dsp"),
                HasMve: Bool("mve"),
                RamBytes: ramBytes,
                RamAddress: ramAddress,
                FlashBytes: flashBytes,
                FlashAddress: flashAddress,
                ReserveBytes: reserve,
                DefaultBudgetBytes: Size("budget"),
                Toolchain: toolchain,
                CFlags: List("cflags"),
                LdFlags: List("ldflags"),
                LinkerScript: linkerScript,
                Sources: console is null ? sources : sources.Concat(consoleSources[console]).Distinct(StringComparer.Ordinal).ToList(),
                QemuMachine: String("qemu"))
            {
                BoardSources = sources,
                Console = console,
                ConsoleSources = consoleSources,
                QemuUart = (int)qemuUart,
                Flasher = flasher,
                FlasherTarget = flasherTarget,
            };
            return _failed ? null : spec;
        }

        /// <summary>
        /// The board's console and, for each console it can have, the files that implement it: the
        /// SDK's common ones, found like <c>sources:</c>, and for <c>uart</c> the board's driver.
        /// The host has none (its programs print natively).
        /// </summary>
        private (string? Console, IReadOnlyDictionary<string, IReadOnlyList<string>> Sources) Console(BoardToolchain toolchain)
        {
            var consoleNode = Node("console");
            var uartNode = Node("uart_source");
            var available = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            if (toolchain == BoardToolchain.Host)
            {
                foreach (var node in new[] { consoleNode, uartNode }.OfType<YamlNode>())
                    Fail(node, "the host board prints natively and has no console or UART to choose");
                return (null, available);
            }

            var console = String("console") ?? BoardConsole.Semihosting;
            if (!BoardConsole.All.Contains(console))
                Fail(consoleNode!, $"console must be one of {string.Join(", ", BoardConsole.All)}, not '{console}'");
            var uart = String("uart_source");
            if (console == BoardConsole.Uart && uart is null) Fail(consoleNode!, "console: uart needs 'uart_source', the board's UART driver");
            foreach (var kind in BoardConsole.All)
            {
                if (kind == BoardConsole.Uart && uart is null) continue;
                // Only the chosen console's files must exist; the others are found when a build asks for them.
                var files = BoardConsole.CommonSources(kind).Select(f => kind == console ? FindFile(consoleNode ?? root, f) : TryFindFile(f)).ToList();
                if (kind == BoardConsole.Uart) files.Add(FindFile(uartNode!, uart!));
                if (files.All(f => f is not null)) available[kind] = files!;
            }
            return (console, available);
        }

        private YamlNode? Node(string key) =>
            root.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

        private string? String(string key)
        {
            var node = Node(key);
            if (node is null) return null;
            if (node is YamlScalarNode scalar && !string.IsNullOrWhiteSpace(scalar.Value)) return scalar.Value.Trim();
            Fail(node, $"'{key}' must be a non-empty text value");
            return null;
        }

        private bool Bool(string key)
        {
            var text = String(key);
            if (text is null) return false;
            if (text is "true" or "yes") return true;
            if (text is "false" or "no") return false;
            Fail(Node(key)!, $"'{key}' must be true or false");
            return false;
        }

        private long? Size(string key) => Size(Node(key), key);

        private long? Size(YamlNode? node, string what)
        {
            if (node is null) return null;
            if (node is YamlScalarNode { Value: { } text } && TryParseSize(text, out var value)) return value;
            Fail(node, $"'{what}' must be a byte count such as 131072, 0x20000, 128K or 1M");
            return null;
        }

        private (long Bytes, long Address) Memory(string key, bool required)
        {
            var node = Node(key);
            if (node is null)
            {
                if (required) Fail(root, $"missing '{key}: {{ bytes: ..., address: ... }}'");
                return (0, 0);
            }
            if (node is not YamlMappingNode mapping)
            {
                Fail(node, $"'{key}' must be a mapping {{ bytes: ..., address: ... }}");
                return (0, 0);
            }
            mapping.Children.TryGetValue(new YamlScalarNode("bytes"), out var bytesNode);
            mapping.Children.TryGetValue(new YamlScalarNode("address"), out var addressNode);
            if (bytesNode is null) Fail(node, $"'{key}' needs 'bytes'");
            var bytes = Size(bytesNode, $"{key}.bytes") ?? 0;
            var address = Size(addressNode, $"{key}.address") ?? 0;
            return (bytes, address);
        }

        private IReadOnlyList<string> List(string key)
        {
            var node = Node(key);
            if (node is null) return Array.Empty<string>();
            if (node is YamlSequenceNode sequence && sequence.Children.All(c => c is YamlScalarNode))
                return sequence.Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToList();
            Fail(node, $"'{key}' must be a list of text values");
            return Array.Empty<string>();
        }

        private string? TryFindFile(string relativePath) =>
            searchPath.Select(d => Path.GetFullPath(Path.Combine(d, relativePath))).FirstOrDefault(File.Exists);

        private string FindFile(YamlNode node, string relativePath)
        {
            if (TryFindFile(relativePath) is { } path) return path;
            Fail(node, $"file '{relativePath}' found neither in the board folder nor in {string.Join(", ", searchPath.Skip(1))}");
            return relativePath;
        }

        private void Fail(YamlNode node, string message)
        {
            _failed = true;
            diagnostics.Error(InvalidBoardCode, message, new SourceLocation(file, (int)node.Start.Line, (int)node.Start.Column));
        }
    }

    /// <summary>Parses <c>131072</c>, <c>0x20000000</c>, <c>128K</c>, <c>1M</c>, <c>1G</c> (binary multiples).</summary>
    public static bool TryParseSize(string text, out long value)
    {
        value = 0;
        var s = text.Trim().Replace("_", "");
        long multiplier = 1;
        if (s.Length > 0)
        {
            var suffix = char.ToUpperInvariant(s[^1]);
            var trimmed = s.EndsWith("iB", StringComparison.OrdinalIgnoreCase) ? s[..^2] : s;
            suffix = trimmed.Length > 0 ? char.ToUpperInvariant(trimmed[^1]) : suffix;
            multiplier = suffix switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
            s = multiplier == 1 ? s : trimmed[..^1];
        }
        bool ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!ok || value < 0 || value > long.MaxValue / multiplier) return false;
        value *= multiplier;
        return true;
    }
}
