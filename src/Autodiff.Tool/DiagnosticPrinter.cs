using Autodiff.Engine.Diagnostics;

namespace Autodiff.Tool;

/// <summary>
/// Prints diagnostics as <c>file(line,col): error ADnnnn: message</c>, the form MSBuild, IDEs and
/// CI log parsers already recognise; errors and warnings go to stderr so a build log keeps them apart
/// from the report.
/// </summary>
public static class DiagnosticPrinter
{
    public static void Print(IEnumerable<Diagnostic> diagnostics, string modelPath)
    {
        foreach (var diagnostic in diagnostics)
        {
            // A diagnostic without a place is still about the model the user named.
            var located = diagnostic.Location is null ? diagnostic with { Location = new SourceLocation(modelPath, 1, 1) } : diagnostic;
            var writer = diagnostic.Severity == Severity.Info ? Console.Out : Console.Error;
            writer.WriteLine(located.ToString());
        }
    }

    /// <summary>A problem of the tool itself, about <paramref name="file"/> (the model), or about the command line or install when null.</summary>
    public static void Error(string code, string message, string? file)
    {
        var diagnostic = new Diagnostic(code, Severity.Error, message, null);
        if (file is not null) Print([diagnostic], file);
        // "origin: error CODE: message" is the form MSBuild and IDEs read for messages without a file.
        else Console.Error.WriteLine("autodiff: " + diagnostic);
    }
}
