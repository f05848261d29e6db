using Autodiff.Engine.Diagnostics;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>Maps engine diagnostics onto MSBuild errors and warnings so they print as <c>file(line,col): error ADxxxx: ...</c>.</summary>
internal static class DiagnosticLogging
{
    public static void LogDiagnostic(this TaskLoggingHelper log, Diagnostic diagnostic, string? fallbackFile = null)
    {
        var file = ShownFile(diagnostic.Location?.File ?? fallbackFile);
        var line = diagnostic.Location?.Line ?? 0;
        var column = diagnostic.Location?.Column ?? 0;
        switch (diagnostic.Severity)
        {
            case Severity.Error:
                log.LogError(null, diagnostic.Code, null, file, line, column, 0, 0, "{0}", diagnostic.Message);
                break;
            case Severity.Warning:
                log.LogWarning(null, diagnostic.Code, null, file, line, column, 0, 0, "{0}", diagnostic.Message);
                break;
            default:
                log.LogMessage(null, diagnostic.Code, null, file, line, column, 0, 0,
                    Microsoft.Build.Framework.MessageImportance.Normal, "{0}", diagnostic.Message);
                break;
        }
    }

    /// <summary>
    /// A file name as the build log shows it in front of a message: unchanged (so editors can open it)
    /// unless it holds characters that would alter how the log reads, such as a newline or a terminal
    /// escape in a folder or model file name; those are escaped like any quoted model text.
    /// </summary>
    public static string? ShownFile(string? file) =>
        file is not null && file.Any(MessageText.IsUnsafe) ? MessageText.PrintablePath(file) : file;

    public static void LogDiagnostics(this TaskLoggingHelper log, DiagnosticBag bag, string? fallbackFile = null)
    {
        foreach (var d in bag.Items) log.LogDiagnostic(d, fallbackFile);
    }
}
