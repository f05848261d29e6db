using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// Common ground of the gcc-driven tasks: runs the given gcc, turns its and the linker's messages
/// into MSBuild errors and warnings with file and line, and never lets an exception escape.
/// </summary>
public abstract class GccToolTask : ToolTask
{
    /// <summary>Creates the task; gcc runs with the C locale so its messages can be parsed.</summary>
    protected GccToolTask()
    {
        EnvironmentVariables = new[] { "LC_ALL=C" };
    }

    /// <summary>Full path of the gcc driver (from <see cref="AutodiffFindToolchain"/>).</summary>
    [Required] public string Compiler { get; set; } = "";

    /// <summary>Folder gcc runs in (the project folder); relative paths in its messages are relative to it.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Code for errors and warnings printed by the tool.</summary>
    protected abstract string MessageCode { get; }

    /// <summary>Code for a failure that printed nothing recognisable.</summary>
    protected abstract string FailureCode { get; }

    /// <inheritdoc />
    protected override string ToolName => Path.GetFileName(Compiler);

    /// <inheritdoc />
    protected override string GenerateFullPathToTool() => Compiler;

    /// <inheritdoc />
    protected override string? GetWorkingDirectory() => string.IsNullOrWhiteSpace(WorkingDirectory) ? null : WorkingDirectory;

    /// <inheritdoc />
    public override bool Execute()
    {
        try
        {
            // Preparation runs inside the guard too: a folder that cannot be created is a located
            // build error, not a crashed task.
            var succeeded = PrepareOutputs() && base.Execute() && !Log.HasLoggedErrors;
            if (!succeeded) RemoveOutputs();
            return succeeded;
        }
        catch (Exception e)
        {
            Log.LogError(null, SdkDiagnosticCodes.InternalError, null, null, 0, 0, 0, 0,
                "{0} failed unexpectedly: {1}", GetType().Name, e.ToString());
            return false;
        }
    }

    /// <summary>Files this step writes; deleted when it fails, so the next build does not take a stale or half-written file as up to date.</summary>
    protected abstract IEnumerable<string> OutputFiles { get; }

    /// <summary>Creates the folders of <see cref="OutputFiles"/>; logs <see cref="FailureCode"/> and returns false when one cannot be created.</summary>
    private bool PrepareOutputs()
    {
        foreach (var file in OutputFiles.Where(f => !string.IsNullOrWhiteSpace(f)))
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(file, GetWorkingDirectory() ?? Directory.GetCurrentDirectory()));
            if (string.IsNullOrEmpty(folder)) continue;
            try
            {
                Directory.CreateDirectory(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                Log.LogError(null, FailureCode, null, null, 0, 0, 0, 0,
                    "cannot create the folder '{0}' for '{1}': {2}", folder, Path.GetFileName(file), e.Message);
                return false;
            }
        }
        return true;
    }

    private void RemoveOutputs()
    {
        foreach (var file in OutputFiles.Where(f => !string.IsNullOrWhiteSpace(f)))
        {
            var path = Path.GetFullPath(file, GetWorkingDirectory() ?? Directory.GetCurrentDirectory());
            try
            {
                if (File.Exists(path)) File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.LogMessage(MessageImportance.Normal, "could not delete '{0}' after the failure: {1}", path, e.Message);
            }
        }
    }

    /// <summary>Informational lines the tool printed, in order; a failure without a recognised error quotes them.</summary>
    private protected List<string> Notes { get; } = new();

    /// <inheritdoc />
    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        var message = GccMessageParser.Parse(singleLine);
        if (message is null || !HandleMessage(message, singleLine))
            Log.LogMessage(MessageImportance.Normal, "{0}", singleLine);
    }

    /// <summary>Logs one recognised message; returns false to have the raw line logged instead.</summary>
    private protected virtual bool HandleMessage(GccMessage message, string rawLine)
    {
        switch (message.Kind)
        {
            case GccMessageKind.Error:
                Log.LogError(null, MessageCode, null, message.File, message.Line, message.Column, 0, 0, "{0}", message.Text);
                return true;
            case GccMessageKind.Warning:
                Log.LogWarning(null, MessageCode, null, message.File, message.Line, message.Column, 0, 0, "{0}", message.Text);
                return true;
            default:
                Notes.Add(rawLine.Trim());
                return false;
        }
    }

    /// <inheritdoc />
    protected override bool HandleTaskExecutionErrors()
    {
        if (!Log.HasLoggedErrors) LogFailure();
        return false;
    }

    /// <summary>Reports a failure no recognised error explained, with what the tool said.</summary>
    private protected void LogFailure(string? toolText = null)
    {
        var said = Notes.Count > 0 ? ": " + string.Join(" | ", Notes.TakeLast(5)) : "";
        Log.LogError(null, FailureCode, null, null, 0, 0, 0, 0,
            "{0}{1}", toolText ?? $"{ToolName} exited with code {ExitCode}", said);
    }
}
