using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Build.Framework;

namespace Autodiff.Tasks;

/// <summary>
/// Runs the built firmware (<c>-t:Run</c>): natively on the host, or in <c>qemu-system-arm</c> for
/// emulated boards, with semihosting or with the board's UART on QEMU's standard output, by the
/// firmware's console. Output is streamed into the build log; a non-zero exit code (the firmware's
/// <c>main()</c> return value) or a timeout fails the build. The command line shows at <c>-v:n</c>.
/// </summary>
public sealed class AutodiffRunFirmware : AutodiffTask, ICancelableTask
{
    private readonly CancellationTokenSource _canceled = new();

    /// <summary>What the program printed last, quoted in AD4402.</summary>
    private readonly OutputTail _tail = new();

    /// <summary>The executable or ELF image to run.</summary>
    [Required] public string Image { get; set; } = "";

    /// <summary>Board name, for messages.</summary>
    [Required] public string Board { get; set; } = "";

    /// <summary>False for build-only boards: Run then reports AD4401.</summary>
    public bool CanRun { get; set; } = true;

    /// <summary>QEMU machine (<c>-M</c>); empty runs <see cref="Image"/> natively.</summary>
    public string? QemuMachine { get; set; }

    /// <summary>The firmware's console (semihosting, uart or none); empty for a native program.</summary>
    public string? Console { get; set; }

    /// <summary>Which QEMU <c>-serial</c> device is the board's UART (uart console).</summary>
    public int QemuUart { get; set; }

    /// <summary>
    /// <c>-t:Debug</c>: QEMU starts halted with its gdb server on this TCP port, and the gdb command line
    /// is printed; 0 runs at once.
    /// </summary>
    public int GdbPort { get; set; }

    /// <summary>Path of <c>qemu-system-arm</c>; empty searches PATH.</summary>
    public string? QemuPath { get; set; }

    /// <summary>
    /// Seconds before the run is stopped and the build fails; 0 or less waits forever. Text, so that a
    /// value that is not a number is reported as an invalid property rather than by MSBuild.
    /// </summary>
    public string? TimeoutSeconds { get; set; } = "300";

    /// <summary>Folder the program runs in; empty for the image's folder.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>The exit code of the program (or emulator).</summary>
    [Output] public int ExitCode { get; private set; }

    /// <summary>Ctrl+C: stops the program (and QEMU) at once instead of waiting for it or the timeout.</summary>
    public void Cancel() => _canceled.Cancel();

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        var timeoutText = string.IsNullOrWhiteSpace(TimeoutSeconds) ? "300" : TimeoutSeconds!.Trim();
        if (!int.TryParse(timeoutText, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var timeoutSeconds))
        {
            Log.LogError(null, SdkDiagnosticCodes.InvalidProperty, null, null, 0, 0, 0, 0,
                "AutodiffRunTimeout must be a whole number of seconds (0 waits forever), not '{0}'", TimeoutSeconds);
            return false;
        }
        if (!CanRun)
        {
            Log.LogError(null, SdkDiagnosticCodes.BoardNotRunnable, null, null, 0, 0, 0, 0,
                "board '{0}' is build-only: it has no emulator, so -t:Run cannot execute its firmware. " +
                "Flash {1} to the device instead, or run on Board=host, stm32f4 or lm3s6965.", Board, Image);
            return false;
        }
        if (GdbPort > 0 && string.IsNullOrWhiteSpace(QemuMachine))
        {
            Log.LogError(null, SdkDiagnosticCodes.BoardNotRunnable, null, null, 0, 0, 0, 0,
                "-t:Debug starts QEMU's gdb server, which board '{0}' does not run in; {1}",
                Board, CanRun ? $"debug the native program with gdb {Image}" : "flash it (-t:Flash) and attach your probe's gdb server");
            return false;
        }
        if (Console == Engine.Boards.BoardConsole.None && !string.IsNullOrWhiteSpace(QemuMachine))
        {
            Log.LogError(null, SdkDiagnosticCodes.BoardNotRunnable, null, null, 0, 0, 0, 0,
                "firmware built with AutodiffConsole=none cannot say when it has finished or how, so -t:Run cannot run it in QEMU; " +
                "build it with AutodiffConsole=semihosting (or uart, on a board with a UART driver) to run it");
            return false;
        }
        if (!File.Exists(Image))
        {
            Log.LogError(null, SdkDiagnosticCodes.ImageMissing, null, null, 0, 0, 0, 0,
                "there is no firmware to run: '{0}' does not exist. Build the project for board '{1}' first (a build that failed, or a design-time build, leaves none).",
                Image, Board);
            return false;
        }

        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = string.IsNullOrWhiteSpace(WorkingDirectory) ? Path.GetDirectoryName(Path.GetFullPath(Image))! : WorkingDirectory,
        };
        string description;
        if (string.IsNullOrWhiteSpace(QemuMachine))
        {
            start.FileName = Path.GetFullPath(Image);
            description = Path.GetFileName(Image);
        }
        else
        {
            var qemu = !string.IsNullOrWhiteSpace(QemuPath) ? QemuPath! : ExecutableSearch.Find("qemu-system-arm");
            if (qemu is null || !File.Exists(qemu))
            {
                Log.LogError(null, SdkDiagnosticCodes.QemuMissing, null, null, 0, 0, 0, 0,
                    "qemu-system-arm (needed to run board '{0}') was not found{1}. Install it (Debian/Ubuntu: apt-get install qemu-system-arm) or set QemuPath.",
                    Board, string.IsNullOrWhiteSpace(QemuPath) ? " on PATH" : $" at '{QemuPath}'");
                return false;
            }
            start.FileName = qemu;
            foreach (var argument in QemuArguments()) start.ArgumentList.Add(argument);
            description = $"{Path.GetFileName(Image)} in QEMU ({QemuMachine})";
        }

        LogReport($"Autodiff: running {description}");
        if (GdbPort > 0)
        {
            LogReport($"Autodiff: QEMU is halted at reset, waiting for gdb on port {GdbPort}. In another terminal:");
            LogReport("  " + CommandLine.Of("gdb-multiarch", [Path.GetFullPath(Image), "-ex", $"target remote localhost:{GdbPort}"]));
        }
        Log.LogMessage(MessageImportance.Normal, "{0}", CommandLine.Of(start.FileName, start.ArgumentList));
        var lines = new BlockingCollection<string>();
        using var process = new Process { StartInfo = start };
        var openStreams = 2;
        void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null) lines.Add(e.Data);
            else if (Interlocked.Decrement(ref openStreams) == 0) lines.CompleteAdding();
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        // A native image that is not executable (or not a program at all) is the user's to fix, not
        // a crash: say so instead of letting process creation throw.
        var problem = string.IsNullOrWhiteSpace(QemuMachine) ? ExecutableCheck.Problem(start.FileName) : null;
        if (problem is null)
        {
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                problem = e.Message;
            }
        }
        if (problem is not null)
        {
            Log.LogError(null, SdkDiagnosticCodes.ImageNotRunnable, null, BuildEngine?.ProjectFileOfTaskNode, 0, 0, 0, 0,
                "cannot start {0} ('{1}'): {2}. Rebuild the project (dotnet build --no-incremental) if the image is damaged.",
                description, start.FileName, problem);
            return false;
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Lines are logged from this thread only; the deadline covers the whole run.
        var deadline = timeoutSeconds > 0 ? DateTime.UtcNow.AddSeconds(timeoutSeconds) : DateTime.MaxValue;
        var timedOut = false;
        var canceled = false;
        int? uartExitCode = null;
        while (!lines.IsCompleted)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                timedOut = true;
                break;
            }
            try
            {
                if (lines.TryTake(out var line, (int)(remaining < TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1)).TotalMilliseconds, _canceled.Token)
                    && Show(line) is { } status)
                {
                    // The UART console's last line: QEMU keeps running the halted core, so stop it here.
                    uartExitCode = status;
                    try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                canceled = true;
                break;
            }
        }

        if (!canceled && !timedOut && uartExitCode is null)
        {
            // Output has ended; the process normally exits right after. Wait for that, still
            // within the deadline and still stoppable.
            var exited = false;
            while (!exited && !_canceled.IsCancellationRequested && DateTime.UtcNow < deadline)
                exited = process.WaitForExit(200);
            canceled = !exited && _canceled.IsCancellationRequested;
            timedOut = !exited && !canceled;
        }

        if (canceled || timedOut)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            if (canceled)
                Log.LogError(null, SdkDiagnosticCodes.RunFailed, null, null, 0, 0, 0, 0,
                    "{0} was stopped because the build was canceled{1}", description, _tail.Quote($"Its last {_tail.Lines.Count} line(s) of output:"));
            else
                Log.LogError(null, SdkDiagnosticCodes.RunTimedOut, null, null, 0, 0, 0, 0,
                    "{0} did not finish within {1} s (AutodiffRunTimeout) and was stopped", description, timeoutSeconds);
            return false;
        }
        process.WaitForExit();
        while (uartExitCode is null && lines.TryTake(out var rest)) uartExitCode = Show(rest);

        ExitCode = uartExitCode ?? process.ExitCode;
        if (ExitCode != 0)
        {
            Log.LogError(null, SdkDiagnosticCodes.RunFailed, null, null, 0, 0, 0, 0,
                "{0} exited with code {1}{2}", description, ExitCode, _tail.Quote($"Its last {_tail.Lines.Count} line(s) of output:"));
            return false;
        }
        LogReport($"Autodiff: {description} exited with code 0");
        return true;
    }

    /// <summary>The QEMU arguments: the board's machine, and its console on QEMU's standard output.</summary>
    private IEnumerable<string> QemuArguments()
    {
        var arguments = new List<string> { "-M", QemuMachine!, "-nographic", "-monitor", "none" };
        if (Console == Engine.Boards.BoardConsole.Uart)
        {
            // Serial devices are numbered in order: the ones before the board's UART go nowhere.
            for (var i = 0; i < QemuUart; i++) arguments.AddRange(["-serial", "null"]);
            arguments.AddRange(["-serial", "stdio"]);
        }
        else
        {
            arguments.AddRange(["-serial", "null", "-semihosting-config", "enable=on,target=native"]);
        }
        if (GdbPort > 0) arguments.AddRange(["-gdb", $"tcp::{GdbPort}", "-S"]);
        arguments.AddRange(["-kernel", Path.GetFullPath(Image)]);
        return arguments;
    }

    /// <summary>
    /// Logs one line of the program's output. With the UART console, returns the exit status when the
    /// line holds the console's end (EOT, "exit", the status; boards/common/console_uart.c).
    /// </summary>
    private int? Show(string line)
    {
        var end = Console == Engine.Boards.BoardConsole.Uart ? line.IndexOf("\u0004exit ", StringComparison.Ordinal) : -1;
        if (end < 0)
        {
            LogReport(line);
            _tail.Add(line);
            return null;
        }
        if (end > 0)
        {
            LogReport(line[..end]);
            _tail.Add(line[..end]);
        }
        var status = line[(end + 6)..].Trim();
        return int.TryParse(status, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var code) ? code : 1;
    }
}
