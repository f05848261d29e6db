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
            return base.Execute() && !Log.HasLoggedErrors;
        }
        catch (Exception e)
        {
            Log.LogError(null, SdkDiagnosticCodes.InternalError, null, null, 0, 0, 0, 0,
                "{0} failed unexpectedly: {1}", GetType().Name, e.ToString());
            return false;
        }
    }

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
        if (message.IsError)
            Log.LogError(null, MessageCode, null, message.File, message.Line, message.Column, 0, 0, "{0}", message.Text);
        else
            Log.LogWarning(null, MessageCode, null, message.File, message.Line, message.Column, 0, 0, "{0}", message.Text);
        return true;
    }

    /// <inheritdoc />
    protected override bool HandleTaskExecutionErrors()
    {
        if (!Log.HasLoggedErrors)
        {
            Log.LogError(null, FailureCode, null, null, 0, 0, 0, 0,
                "{0} exited with code {1}", ToolName, ExitCode);
        }
        return false;
    }
}
