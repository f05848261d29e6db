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
            // build error, not a crashed task. The tool writes every output under a temporary name
            // (see Staged) that is moved into place only once the tool succeeded and the output is
            // complete: a tool or build killed mid-write leaves no file under the real name that a
            // later build's timestamp check would trust.
            if (!CanRunTool()) return false;
            var succeeded = PrepareOutputs() && base.Execute() && !Log.HasLoggedErrors && (!_toolRan || PublishOutputs());
            if (!succeeded) RemoveOutputs();
            return succeeded;
        }
        catch (Exception e)
        {
            RemoveOutputs();
            Log.LogError(null, SdkDiagnosticCodes.InternalError, null, null, 0, 0, 0, 0,
                "{0} failed unexpectedly: {1}", GetType().Name, e.ToString());
            return false;
        }
    }

    // False when SkipTaskExecution found the outputs up to date: then there is nothing to publish.
    private bool _toolRan;

    /// <inheritdoc />
    protected override int ExecuteTool(string pathToTool, string responseFileCommands, string commandLineCommands)
    {
        _toolRan = true;
        return base.ExecuteTool(pathToTool, responseFileCommands, commandLineCommands);
    }

    /// <summary>Files this step writes; deleted when it fails, so the next build does not take a stale or half-written file as up to date.</summary>
    protected abstract IEnumerable<string> OutputFiles { get; }

    /// <summary>
    /// The temporary name the tool writes <paramref name="output"/> to, in the same folder so that the
    /// final move is a rename. Fixed rather than random, so a leftover of a killed build is simply
    /// overwritten (and removed by <see cref="PrepareOutputs"/>) instead of piling up.
    /// </summary>
    protected static string Staged(string output) => output + ".tmp";

    private IEnumerable<string> FullOutputPaths =>
        OutputFiles.Where(f => !string.IsNullOrWhiteSpace(f))
            .Select(f => Path.GetFullPath(f, GetWorkingDirectory() ?? Directory.GetCurrentDirectory()));

    /// <summary>
    /// A tool that is missing or not executable is a clear error here instead of ToolTask's MSB6003
    /// with a .NET stack trace.
    /// </summary>
    private bool CanRunTool()
    {
        if (ExecutableCheck.Problem(Compiler) is not { } problem) return true;
        Log.LogError(null, SdkDiagnosticCodes.ToolNotRunnable, null, BuildEngine?.ProjectFileOfTaskNode, 0, 0, 0, 0,
            "cannot run '{0}': {1}", Compiler, problem);
        return false;
    }

    /// <summary>Creates the folders of <see cref="OutputFiles"/> and removes temporaries a killed build left; logs <see cref="FailureCode"/> and returns false when a folder cannot be created.</summary>
    private bool PrepareOutputs()
    {
        foreach (var path in FullOutputPaths)
        {
            var folder = Path.GetDirectoryName(path);
            if (string.IsNullOrEmpty(folder)) continue;
            try
            {
                Directory.CreateDirectory(folder);
                if (File.Exists(Staged(path))) File.Delete(Staged(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                Log.LogError(null, FailureCode, null, null, 0, 0, 0, 0,
                    "cannot create the folder '{0}' for '{1}': {2}", folder, Path.GetFileName(path), e.Message);
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Moves each temporary output over its real name, in the order of <see cref="OutputFiles"/> (the
    /// file that marks the step as done last). A tool that exits 0 without writing an output, or writes
    /// an empty one, fails the step.
    /// </summary>
    private bool PublishOutputs()
    {
        var paths = FullOutputPaths.ToList();
        foreach (var path in paths)
        {
            var staged = new FileInfo(Staged(path));
            if (!staged.Exists || staged.Length == 0)
            {
                Log.LogError(null, FailureCode, null, null, 0, 0, 0, 0,
                    "{0} reported success but wrote {1} '{2}'", ToolName, staged.Exists ? "an empty" : "no", Path.GetFileName(path));
                return false;
            }
        }
        foreach (var path in paths) File.Move(Staged(path), path, overwrite: true);
        return true;
    }

    private void RemoveOutputs()
    {
        foreach (var path in FullOutputPaths)
        {
            foreach (var file in new[] { Staged(path), path })
            {
                try
                {
                    if (File.Exists(file)) File.Delete(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Log.LogMessage(MessageImportance.Normal, "could not delete '{0}' after the failure: {1}", file, e.Message);
                }
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
