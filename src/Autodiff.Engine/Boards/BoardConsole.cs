namespace Autodiff.Engine.Boards;

/// <summary>
/// Where a board's firmware sends stdout and stderr and how it ends (board.yaml <c>console:</c>,
/// the <c>AutodiffConsole</c> property). Each console is one C file of the SDK's <c>boards/common/</c>
/// implementing <c>console.h</c>, plus what that file needs.
/// </summary>
public static class BoardConsole
{
    /// <summary>The host's console through a debugger or QEMU (Arm semihosting); the default.</summary>
    public const string Semihosting = "semihosting";

    /// <summary>A polled UART, driven by the board's <c>uart_source:</c>; for boards running on their own.</summary>
    public const string Uart = "uart";

    /// <summary>No output at all; exit halts the core.</summary>
    public const string None = "none";

    public static readonly IReadOnlyList<string> All = [Semihosting, Uart, None];

    /// <summary>
    /// The SDK's files for <paramref name="console"/>, relative to a boards directory (found like the
    /// board's <c>sources:</c>); the UART console adds the board's own driver to these.
    /// </summary>
    public static IReadOnlyList<string> CommonSources(string console) => console switch
    {
        Semihosting => ["common/console_semihosting.c", "common/semihosting.c"],
        Uart => ["common/console_uart.c"],
        _ => ["common/console_none.c"],
    };
}
