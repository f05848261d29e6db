namespace Autodiff.Engine.Diagnostics;

/// <summary>A position in a source file, 1-based, as MSBuild prints it: <c>file(line,col)</c>.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <summary>The file name is escaped: a name holding a newline must not start a second log line.</summary>
    public override string ToString() => $"{MessageText.Printable(File, int.MaxValue)}({Line},{Column})";
}

public enum Severity { Error, Warning, Info }

/// <summary>
/// One finding about the user's input. Codes by range: AD1xxx model file, AD2xxx graph and
/// shapes, AD3xxx memory and budget, AD4xxx toolchain and build, AD5xxx kernels and CMSIS.
/// </summary>
public sealed record Diagnostic(string Code, Severity Severity, string Message, SourceLocation? Location)
{
    private readonly string _message = MessageText.Sanitize(Message);

    /// <summary>
    /// The message, never holding control characters and never longer than
    /// <see cref="MessageText.MaxMessageChars"/>, whichever stage built it from whatever text.
    /// </summary>
    public string Message
    {
        get => _message;
        init => _message = MessageText.Sanitize(value);
    }

    public bool IsError => Severity == Severity.Error;

    public override string ToString()
    {
        var where = Location is null ? "" : Location + ": ";
        var kind = Severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "info" };
        return $"{where}{kind} {Code}: {Message}";
    }
}

/// <summary>Collects diagnostics; engine stages report here instead of throwing.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = new();

    public IReadOnlyList<Diagnostic> Items => _items;
    public bool HasErrors => _items.Any(d => d.IsError);

    public void Error(string code, string message, SourceLocation? at) =>
        _items.Add(new Diagnostic(code, Severity.Error, message, at));

    public void Warning(string code, string message, SourceLocation? at) =>
        _items.Add(new Diagnostic(code, Severity.Warning, message, at));

    public void Info(string code, string message, SourceLocation? at) =>
        _items.Add(new Diagnostic(code, Severity.Info, message, at));

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);
}
